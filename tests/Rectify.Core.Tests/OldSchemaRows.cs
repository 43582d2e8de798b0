using Microsoft.EntityFrameworkCore;
using Rectify.Data;

namespace Rectify.Core.Tests;

/// <summary>
/// Rows written in plain SQL into a database migrated only part of the way: the current model describes today's
/// schema (it would write columns an older one lacks), so tests of a migration fill the older tables by hand.
/// </summary>
internal static class OldSchemaRows
{
    /// <summary>Instants as they are stored: Unix milliseconds on SQLite, timestamptz on PostgreSQL.</summary>
    public static object Instant(RectifyDb db, DateTimeOffset at) => db.Database.IsSqlite() ? at.ToUnixTimeMilliseconds() : at;

    /// <summary>Inserts one row and returns its id (0 when <paramref name="id"/> is false: a table without one).</summary>
    public static async Task<int> InsertAsync(RectifyDb db, string table, Dictionary<string, object?> values, bool id = true)
    {
        var columns = string.Join(", ", values.Keys.Select(c => $"\"{c}\""));
        var placeholders = string.Join(", ", values.Keys.Select((_, i) => $"{{{i}}}"));
        // Table and column names are the tests' own constants; the values go in as parameters.
        var insert = $"INSERT INTO \"{table}\" ({columns}) VALUES ({placeholders})";
        await db.Database.ExecuteSqlRawAsync(insert, values.Values.Select(v => v ?? DBNull.Value));
        var lastId = $"SELECT MAX(\"Id\") AS \"Value\" FROM \"{table}\"";
        return id ? await db.Database.SqlQueryRaw<int>(lastId).SingleAsync() : 0;
    }

    /// <summary>A unit, a category and an inspection as the first release stored them.</summary>
    public static async Task<(int Unit, int Category, int Inspection)> ReferenceDataAsync(RectifyDb db, DateTimeOffset created)
    {
        var unit = await InsertAsync(db, "Unit", new()
        {
            ["Name"] = "市教育局", ["Aliases"] = "教育局", ["Kind"] = "Department", ["SortOrder"] = 1, ["IsActive"] = true,
            ["Leader_Email"] = "head@jyj.example", ["Leader_Name"] = "王局长", ["Leader_Phone"] = "0512-1", ["Leader_Title"] = "局长",
            ["Liaison_Email"] = "liaison@jyj.example", ["Liaison_Name"] = "李联络", ["Liaison_Phone"] = "0512-2", ["Liaison_Title"] = "科员",
        });
        var category = await InsertAsync(db, "Category", new()
        {
            ["Name"] = "基层政务公开", ["NameEn"] = "Grassroots", ["Description"] = "", ["SortOrder"] = 1, ["IsActive"] = true,
        });
        var inspection = await InsertAsync(db, "Inspection", new()
        {
            ["Title"] = "2026年10月政务公开检查", ["Kind"] = "MonthlyNotice", ["PeriodStart"] = new DateOnly(2026, 10, 1),
            ["PeriodEnd"] = new DateOnly(2026, 10, 31), ["Office"] = "市政务公开办", ["CreatedAt"] = Instant(db, created), ["CreatedById"] = "auditor-1",
        });
        return (unit, category, inspection);
    }
}
