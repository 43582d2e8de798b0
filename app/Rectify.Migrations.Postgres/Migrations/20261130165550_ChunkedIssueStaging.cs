using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Migrations.Postgres
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
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StagingId",
                table: "Finding",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "IssueStagings",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    NoticeId = table.Column<int>(type: "integer", nullable: true),
                    FindingIds = table.Column<string>(type: "text", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Done = table.Column<int>(type: "integer", nullable: false),
                    ActorId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    ActorName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
