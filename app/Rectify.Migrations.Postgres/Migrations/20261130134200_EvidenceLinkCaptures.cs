using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Rectify.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EvidenceLinkCaptures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LinkCapture",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FindingId = table.Column<int>(type: "integer", nullable: false),
                    ReportId = table.Column<int>(type: "integer", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    NoticeId = table.Column<int>(type: "integer", nullable: true),
                    BaselineId = table.Column<int>(type: "integer", nullable: true),
                    Url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Detail = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClaimedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinalUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    StatusCode = table.Column<int>(type: "integer", nullable: true),
                    Headers = table.Column<string>(type: "text", nullable: false),
                    ContentType = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BodyKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    TextKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ScreenshotKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Similarity = table.Column<double>(type: "double precision", nullable: true),
                    AddedToFollowUp = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LinkCapture", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LinkCapture_Finding_FindingId",
                        column: x => x.FindingId,
                        principalTable: "Finding",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_LinkCapture_LinkCapture_BaselineId",
                        column: x => x.BaselineId,
                        principalTable: "LinkCapture",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_LinkCapture_Notice_NoticeId",
                        column: x => x.NoticeId,
                        principalTable: "Notice",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_LinkCapture_RectificationReport_ReportId",
                        column: x => x.ReportId,
                        principalTable: "RectificationReport",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_BaselineId",
                table: "LinkCapture",
                column: "BaselineId");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_FindingId",
                table: "LinkCapture",
                column: "FindingId");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_NoticeId",
                table: "LinkCapture",
                column: "NoticeId");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_Outcome",
                table: "LinkCapture",
                column: "Outcome");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_ReportId",
                table: "LinkCapture",
                column: "ReportId");

            // Reports awaiting review when this arrives get their links captured too, so their reviewer sees a copy.
            migrationBuilder.Sql("""
                INSERT INTO "LinkCapture" ("FindingId", "ReportId", "Kind", "Url", "Outcome", "Detail", "RequestedAt", "FinalUrl", "Headers", "ContentType", "Size", "Sha256", "AddedToFollowUp")
                SELECT DISTINCT r."FindingId", r."Id", 'Capture', btrim(l.link, E' \t\r'), 'Pending', '', now(), '', '', '', 0, '', false
                FROM "RectificationReport" r, regexp_split_to_table(r."Links", E'\n') AS l(link)
                WHERE r."Decision" = 'Pending' AND length(btrim(l.link, E' \t\r')) <= 2048 AND btrim(l.link, E' \t\r') ~* '^https?://';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LinkCapture");
        }
    }
}
