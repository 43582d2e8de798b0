using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Data.Migrations.Sqlite
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FindingId = table.Column<int>(type: "INTEGER", nullable: false),
                    ReportId = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    NoticeId = table.Column<int>(type: "INTEGER", nullable: true),
                    BaselineId = table.Column<int>(type: "INTEGER", nullable: true),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    FetchedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinalUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    Headers = table.Column<string>(type: "TEXT", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BodyKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    TextKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ScreenshotKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Similarity = table.Column<double>(type: "REAL", nullable: true),
                    AddedToFollowUp = table.Column<bool>(type: "INTEGER", nullable: false)
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
                WITH RECURSIVE split("ReportId", "FindingId", "Rest", "Link") AS (
                    SELECT "Id", "FindingId", "Links" || char(10), NULL FROM "RectificationReport" WHERE "Decision" = 'Pending' AND "Links" <> ''
                    UNION ALL
                    SELECT "ReportId", "FindingId", substr("Rest", instr("Rest", char(10)) + 1),
                           trim(substr("Rest", 1, instr("Rest", char(10)) - 1), ' ' || char(9) || char(13))
                    FROM split WHERE "Rest" <> ''
                )
                INSERT INTO "LinkCapture" ("FindingId", "ReportId", "Kind", "Url", "Outcome", "Detail", "RequestedAt", "FinalUrl", "Headers", "ContentType", "Size", "Sha256", "AddedToFollowUp")
                SELECT DISTINCT "FindingId", "ReportId", 'Capture', "Link", 'Pending', '', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), '', '', '', 0, '', 0
                FROM split
                WHERE "Link" IS NOT NULL AND length("Link") <= 2048 AND ("Link" LIKE 'http://%' OR "Link" LIKE 'https://%');
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
