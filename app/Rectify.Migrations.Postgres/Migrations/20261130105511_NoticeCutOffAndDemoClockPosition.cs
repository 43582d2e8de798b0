using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class NoticeCutOffAndDemoClockPosition : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CutOff",
                table: "Notice",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviewHtml",
                table: "Notice",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviewJson",
                table: "Notice",
                type: "text",
                nullable: true);

            // An issued notice's figures were taken when it was issued; drafts get their cut-off when next composed.
            migrationBuilder.Sql("UPDATE \"Notice\" SET \"CutOff\" = \"IssuedAt\" WHERE \"Status\" = 'Issued';");

            migrationBuilder.CreateTable(
                name: "DemoClock",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Position = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
