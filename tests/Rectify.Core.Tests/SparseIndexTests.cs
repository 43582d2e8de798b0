using Microsoft.EntityFrameworkCore;
using Rectify.Testing;

namespace Rectify.Core.Tests;

/// <summary>
/// The indexes that leave out rows without a value (a mail's batch, a re-check's notice and baseline) still serve the
/// lookups that compare the column with a value, on both providers.
/// </summary>
public sealed class SparseIndexTests
{
    [Theory]
    [InlineData("OutboxMessages", "BatchId", "IX_OutboxMessages_BatchId")]
    [InlineData("LinkCapture", "NoticeId", "IX_LinkCapture_NoticeId")]
    [InlineData("LinkCapture", "BaselineId", "IX_LinkCapture_BaselineId")]
    public async Task A_lookup_by_value_uses_the_sparse_index(string table, string column, string index)
    {
        await using var data = await TestDatabase.CreateAsync();
        var plan = await data.WithDbAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            if (data.IsPostgres)
            {
                // An empty table would be scanned whole; what matters is that the planner may use the index at all.
                command.CommandText = "SET enable_seqscan = off";
                await command.ExecuteNonQueryAsync();
            }
            command.CommandText = $"{(data.IsPostgres ? "EXPLAIN" : "EXPLAIN QUERY PLAN")} SELECT * FROM \"{table}\" WHERE \"{column}\" = @value";
            var value = command.CreateParameter();
            value.ParameterName = "value";
            value.Value = 7;
            command.Parameters.Add(value);
            var lines = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(reader.GetString(reader.FieldCount - 1));
            return string.Join("\n", lines);
        });
        Assert.Contains(index, plan, StringComparison.Ordinal);
    }
}
