using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FindingDeadlineRule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DeadlineReason",
                table: "Finding",
                type: "TEXT",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "DeadlineWorkingDays",
                table: "Finding",
                type: "INTEGER",
                nullable: true);

            // 退回 is now a status of its own until the unit resubmits: findings sent back to 待整改 by a return become 退回.
            migrationBuilder.Sql("""
                UPDATE "Finding" SET "Status" = 'Returned'
                WHERE "Status" = 'Assigned' AND (
                    SELECT r."Decision" FROM "RectificationReport" r WHERE r."FindingId" = "Finding"."Id"
                    ORDER BY r."SubmittedAt" DESC, r."Id" DESC LIMIT 1) = 'Returned';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""UPDATE "Finding" SET "Status" = 'Assigned' WHERE "Status" = 'Returned';""");

            migrationBuilder.DropColumn(
                name: "DeadlineReason",
                table: "Finding");

            migrationBuilder.DropColumn(
                name: "DeadlineWorkingDays",
                table: "Finding");
        }
    }
}
