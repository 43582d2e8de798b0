using Npgsql;

namespace Rectify.Testing;

/// <summary>
/// The PostgreSQL pass of the test command: RECTIFY_TEST_POSTGRES holds the server's connection string, and every
/// test database (or app under test) gets a database of its own on it, named after its data folder.
/// </summary>
public static class TestPostgres
{
    /// <summary>The server connection string of the PostgreSQL pass, or null on the SQLite pass.</summary>
    public static string? Server => Environment.GetEnvironmentVariable("RECTIFY_TEST_POSTGRES") is { Length: > 0 } cs ? cs : null;

    /// <summary>
    /// On the PostgreSQL pass: the settings selecting a database named after <paramref name="directory"/>, created when
    /// absent, so that a second host made with the same folder (a restart, a second node) shares it as it would share
    /// the SQLite file. Empty on the SQLite pass.
    /// </summary>
    public static Dictionary<string, string?> SettingsFor(string directory)
    {
        if (Server is not { } server)
            return [];
        var name = DatabaseName(directory);
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'", connection);
            if (exists.ExecuteScalar() is null)
            {
                using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                create.ExecuteNonQuery();
            }
        }
        return new()
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString,
        };
    }

    /// <summary>Drops the database of <paramref name="directory"/> (no-op on the SQLite pass).</summary>
    public static async Task DropAsync(string directory)
    {
        if (Server is not { } server)
            return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName(directory)} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string DatabaseName(string directory) =>
        "rectify_test_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(directory)))[..24];
}
