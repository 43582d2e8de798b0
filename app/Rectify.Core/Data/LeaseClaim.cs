using Microsoft.EntityFrameworkCore;

namespace Rectify.Data;

/// <summary>A row that a worker takes for a while before acting on it (a due timer, an outbox message).</summary>
public interface ILeased
{
    /// <summary>The claim holding the row until <see cref="LeaseUntil"/>; another node skips it meanwhile.</summary>
    string? LeaseOwner { get; set; }
    DateTimeOffset? LeaseUntil { get; set; }
}

/// <summary>
/// Which rows of a table a claim takes: up to a limit of the <paramref name="Due"/> rows in <paramref name="OrderBy"/>
/// order, plus, when <paramref name="GroupBy"/> is given, the <paramref name="Companions"/> rows sharing a taken row's
/// group (a timer's instance, a retried mail's batch), so one claim holds a group whole. Conditions are SQL over the
/// table's columns, with <c>{now}</c> for the claim's instant; a row under another live lease is never taken.
/// </summary>
public sealed record LeaseClaim(string Due, string OrderBy, string? GroupBy = null, string? Companions = null)
{
    /// <summary>
    /// Leases the rows to <paramref name="owner"/> until <paramref name="until"/> in one statement and returns them,
    /// tracked by <paramref name="db"/>. Of several nodes claiming at once each row goes to one: SQLite runs one
    /// writer at a time and evaluates the condition inside the UPDATE; PostgreSQL locks the rows it picks and skips,
    /// never waits for, rows another claim is locking, so two claims take different rows and cannot deadlock.
    /// </summary>
    public Task<List<T>> ClaimAsync<T>(DbContext db, string owner, DateTimeOffset now, DateTimeOffset until, int limit, CancellationToken ct = default)
        where T : class, ILeased
    {
        var type = db.Model.FindEntityType(typeof(T))!;
        var table = $"\"{type.GetTableName()}\"";
        var keyColumns = type.FindPrimaryKey()!.Properties.Select(p => $"\"{p.GetColumnName()}\"").ToList();
        var key = string.Join(", ", keyColumns);
        // Instants go in as the column stores them (UTC milliseconds on SQLite).
        var converter = type.FindProperty(nameof(ILeased.LeaseUntil))!.GetTypeMapping().Converter;
        object Stored(DateTimeOffset instant) => converter?.ConvertToProvider(instant) ?? instant;
        // Parameters: {0} now, {1} owner, {2} until, {3} limit.
        const string free = "(\"LeaseUntil\" IS NULL OR \"LeaseUntil\" < {0})";
        const string lease = "SET \"LeaseOwner\" = {1}, \"LeaseUntil\" = {2}";
        const string limitParameter = "{3}";
        static string Sql(string condition) => condition.Replace("{now}", "{0}", StringComparison.Ordinal);
        var due = $"{Sql(Due)} AND {free}";
        var group = GroupBy is null ? null : $"\"{GroupBy}\"";
        string sql;
        if (db.Database.IsNpgsql())
        {
            var companions = group is null ? "" : $"""
                ,
                companions AS (
                    SELECT {key} FROM {table}
                    WHERE {Sql(Companions ?? Due)} AND {free} AND {group} IN (SELECT {group} FROM picked WHERE {group} IS NOT NULL)
                    FOR UPDATE SKIP LOCKED)
                """;
            sql = $"""
                WITH picked AS (
                    SELECT {key}{(group is null || keyColumns.Contains(group) ? "" : ", " + group)} FROM {table}
                    WHERE {due}
                    ORDER BY {OrderBy} LIMIT {limitParameter}
                    FOR UPDATE SKIP LOCKED){companions}
                UPDATE {table} {lease}
                WHERE ({key}) IN (SELECT {key} FROM picked{(group is null ? "" : $" UNION SELECT {key} FROM companions")})
                RETURNING *
                """;
        }
        else
        {
            string Picked(string columns) => $"SELECT {columns} FROM {table} WHERE {due} ORDER BY {OrderBy} LIMIT {limitParameter}";
            var companions = group is null ? "" : $" OR ({Sql(Companions ?? Due)} AND {group} IN ({Picked(group)}))";
            sql = $"""
                UPDATE {table} {lease}
                WHERE {free} AND (({key}) IN ({Picked(key)}){companions})
                RETURNING *
                """;
        }
        return db.Set<T>().FromSqlRaw(sql, Stored(now), owner, Stored(until), limit).ToListAsync(ct);
    }
}
