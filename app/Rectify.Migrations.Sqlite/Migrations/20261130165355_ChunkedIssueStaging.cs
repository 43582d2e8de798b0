using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ChunkedIssueStaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StagingId",
                table: "Inspection",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StagingId",
                table: "Finding",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "IssueStagings",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    NoticeId = table.Column<int>(type: "INTEGER", nullable: true),
                    FindingIds = table.Column<string>(type: "TEXT", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IssueStagings", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Finding_StagingId",
                table: "Finding",
                column: "StagingId");

            migrationBuilder.CreateIndex(
                name: "IX_IssueStagings_NoticeId",
                table: "IssueStagings",
                column: "NoticeId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IssueStagings");

            migrationBuilder.DropIndex(
                name: "IX_Finding_StagingId",
                table: "Finding");

            migrationBuilder.DropColumn(
                name: "StagingId",
                table: "Inspection");

            migrationBuilder.DropColumn(
                name: "StagingId",
                table: "Finding");
        }
    }
}
