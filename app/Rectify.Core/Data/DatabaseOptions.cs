namespace Rectify.Data;

public sealed class DatabaseOptions
{
    /// <summary>Sqlite (embedded default) or Postgres.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>Empty for SQLite means data/rectify.db under the data directory.</summary>
    public string ConnectionString { get; set; } = "";
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where Rectify keeps its files: the SQLite database, evidence uploads, the .eml outbox.</summary>
public sealed class DataDirectory(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
}
