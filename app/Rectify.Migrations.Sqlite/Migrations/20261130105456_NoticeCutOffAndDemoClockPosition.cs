using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NoticeCutOffAndDemoClockPosition : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CutOff",
                table: "Notice",
                type: "INTEGER",
                nullable: true);

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

            // An issued notice's figures were taken when it was issued; drafts get their cut-off when next composed.
            migrationBuilder.Sql("UPDATE \"Notice\" SET \"CutOff\" = \"IssuedAt\" WHERE \"Status\" = 'Issued';");

            migrationBuilder.CreateTable(
                name: "DemoClock",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Position = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DemoClock", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DemoClock");

            migrationBuilder.DropColumn(
                name: "CutOff",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "PreviewHtml",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "PreviewJson",
                table: "Notice");
        }
    }
}
