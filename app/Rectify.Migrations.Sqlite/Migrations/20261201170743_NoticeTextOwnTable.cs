using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NoticeTextOwnTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "NoticeText",
                columns: table => new
                {
                    NoticeId = table.Column<int>(type: "INTEGER", nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    Html = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NoticeText", x => x.NoticeId);
                    table.ForeignKey(
                        name: "FK_NoticeText_Notice_NoticeId",
                        column: x => x.NoticeId,
                        principalTable: "Notice",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // A notice holds one text: its preview while a draft, what was issued from 印发中 on (the two never coexist).
            migrationBuilder.Sql("""
                INSERT INTO "NoticeText" ("NoticeId", "Json", "Html")
                SELECT "Id", COALESCE("SnapshotJson", "PreviewJson"), CASE WHEN "SnapshotJson" IS NULL THEN "PreviewHtml" ELSE "SnapshotHtml" END
                FROM "Notice" WHERE COALESCE("SnapshotJson", "PreviewJson") IS NOT NULL;
                """);

            migrationBuilder.DropColumn(
                name: "PreviewHtml",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "PreviewJson",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "SnapshotHtml",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "SnapshotJson",
                table: "Notice");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PreviewHtml",
                table: "Notice",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviewJson",
                table: "Notice",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SnapshotHtml",
                table: "Notice",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SnapshotJson",
                table: "Notice",
                type: "TEXT",
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE "Notice" SET
                    "PreviewJson" = CASE WHEN "Status" = 'Draft' THEN (SELECT t."Json" FROM "NoticeText" t WHERE t."NoticeId" = "Notice"."Id") END,
                    "PreviewHtml" = CASE WHEN "Status" = 'Draft' THEN (SELECT t."Html" FROM "NoticeText" t WHERE t."NoticeId" = "Notice"."Id") END,
                    "SnapshotJson" = CASE WHEN "Status" <> 'Draft' THEN (SELECT t."Json" FROM "NoticeText" t WHERE t."NoticeId" = "Notice"."Id") END,
                    "SnapshotHtml" = CASE WHEN "Status" <> 'Draft' THEN (SELECT t."Html" FROM "NoticeText" t WHERE t."NoticeId" = "Notice"."Id") END;
                """);

            migrationBuilder.DropTable(
                name: "NoticeText");
        }
    }
}
