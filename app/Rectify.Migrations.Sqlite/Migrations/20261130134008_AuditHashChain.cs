using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rectify.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditHashChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AuditHeadHash",
                table: "Notice",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AuditHeadSequence",
                table: "Notice",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Hash",
                table: "AuditEvent",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousHash",
                table: "AuditEvent",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "AuditEvent",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Existing entries take their place in the chain in the order they were written (by id, without gaps);
            // their hashes are computed at the first start (AuditChain.SealAsync), which SQL alone cannot do on SQLite.
            migrationBuilder.Sql("""
                UPDATE "AuditEvent" SET "Sequence" = numbered.n
                FROM (SELECT "Id", ROW_NUMBER() OVER (ORDER BY "Id") AS n FROM "AuditEvent") AS numbered
                WHERE numbered."Id" = "AuditEvent"."Id";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvent_Sequence",
                table: "AuditEvent",
                column: "Sequence",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEvent_Sequence",
                table: "AuditEvent");

            migrationBuilder.DropColumn(
                name: "AuditHeadHash",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "AuditHeadSequence",
                table: "Notice");

            migrationBuilder.DropColumn(
                name: "Hash",
                table: "AuditEvent");

            migrationBuilder.DropColumn(
                name: "PreviousHash",
                table: "AuditEvent");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "AuditEvent");
        }
    }
}
