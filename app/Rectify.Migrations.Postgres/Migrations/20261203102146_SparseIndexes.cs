using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SparseIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_BatchId",
                table: "OutboxMessages");

            migrationBuilder.DropIndex(
                name: "IX_LinkCapture_BaselineId",
                table: "LinkCapture");

            migrationBuilder.DropIndex(
                name: "IX_LinkCapture_NoticeId",
                table: "LinkCapture");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvent_EntityType_EntityId",
                table: "AuditEvent");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_BatchId",
                table: "OutboxMessages",
                column: "BatchId",
                filter: "\"BatchId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_BaselineId",
                table: "LinkCapture",
                column: "BaselineId",
                filter: "\"BaselineId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_NoticeId",
                table: "LinkCapture",
                column: "NoticeId",
                filter: "\"NoticeId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_BatchId",
                table: "OutboxMessages");

            migrationBuilder.DropIndex(
                name: "IX_LinkCapture_BaselineId",
                table: "LinkCapture");

            migrationBuilder.DropIndex(
                name: "IX_LinkCapture_NoticeId",
                table: "LinkCapture");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_BatchId",
                table: "OutboxMessages",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_BaselineId",
                table: "LinkCapture",
                column: "BaselineId");

            migrationBuilder.CreateIndex(
                name: "IX_LinkCapture_NoticeId",
                table: "LinkCapture",
                column: "NoticeId");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvent_EntityType_EntityId",
                table: "AuditEvent",
                columns: new[] { "EntityType", "EntityId" });
        }
    }
}
