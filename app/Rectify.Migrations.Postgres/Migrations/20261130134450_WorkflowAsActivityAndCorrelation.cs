using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorkflowAsActivityAndCorrelation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CorrelationId",
                table: "WorkflowInstances",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ParentInstanceId",
                table: "WorkflowInstances",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            // Correlation ids set before the column existed live in the state JSON.
            migrationBuilder.Sql("UPDATE \"WorkflowInstances\" SET \"CorrelationId\" = \"State\"::jsonb ->> 'cid' WHERE \"State\"::jsonb ? 'cid';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CorrelationId",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "ParentInstanceId",
                table: "WorkflowInstances");
        }
    }
}
