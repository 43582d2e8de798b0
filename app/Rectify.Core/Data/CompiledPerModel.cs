using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Rectify.Data;

/// <summary>
/// A compiled query (EF.CompileAsyncQuery) for each model it runs on: EF refuses to run one compiled for another
/// model, and one process may hold several (SQLite and PostgreSQL, databases with other modules, as tests do).
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();

    public TQuery For(RectifyDb db) => _byModel.GetValue(db.Model, _ => compile());
}
