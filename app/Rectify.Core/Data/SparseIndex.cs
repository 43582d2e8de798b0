using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rectify.Data;

public static class SparseIndex
{
    /// <summary>
    /// Indexes only the rows that have a value in the index's one column: for a column most rows leave empty, those
    /// rows then cost no index write when they are inserted. A query comparing the column with a value still uses the
    /// index (the comparison implies the value is set, on SQLite and PostgreSQL alike).
    /// </summary>
    public static IndexBuilder<T> OnlyWhereSet<T>(this IndexBuilder<T> index) =>
        index.HasFilter($"\"{index.Metadata.Properties.Single().GetColumnName()}\" IS NOT NULL");
}
