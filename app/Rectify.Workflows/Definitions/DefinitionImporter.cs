using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Data;

namespace Rectify.Workflows.Definitions;

/// <summary>Imports the definitions shipped in workflows/ when the database lacks them or holds an older version.</summary>
public sealed class DefinitionImporter(RectifyDb db, WorkflowDefinitionStore store, IOptions<WorkflowOptions> options, ILogger<DefinitionImporter> logger)
{
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>
    /// Returns the ids of the definitions imported. A file that does not parse or validate is skipped with an error
    /// naming it: one bad file must not keep the office's app from starting (the definitions already stored still run).
    /// </summary>
    public async Task<IReadOnlyList<string>> ImportAsync(CancellationToken ct = default)
    {
        var folder = options.Value.DefinitionsPath ?? DefaultPath;
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("No workflow definitions folder at {Folder}", folder);
            return [];
        }
        var imported = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var json = await File.ReadAllTextAsync(file, ct);
            var (definition, errors) = DefinitionParser.TryParse(json);
            if (definition is null)
            {
                LogSkipped(file, errors);
                continue;
            }
            var stored = await db.Set<WorkflowDefinitionVersion>().Where(v => v.DefinitionId == definition.DefinitionId)
                .MaxAsync(v => (int?)v.Version, ct);
            if (stored >= definition.Version)
                continue;
            try
            {
                await store.ImportAsync(json, definition, ct);
                imported.Add(definition.DefinitionId);
                logger.LogInformation("Imported workflow {Definition} version {Version} from {File}", definition.DefinitionId, definition.Version, file);
            }
            catch (WorkflowDefinitionException e)
            {
                db.ChangeTracker.Clear();
                LogSkipped(file, e.Errors);
            }
            catch (DbUpdateException) 
            {
                // Another node may have imported the same version at the same moment.
                if (!await OtherNodeImportedAsync(definition, ct))
                    throw;
            }
        }
        return imported;
    }

    private void LogSkipped(string file, IReadOnlyList<DefinitionError> errors) =>
        logger.LogError("Skipped workflow definition file {File}: {Errors}", file, string.Join("; ", errors.Select(e => $"{e.Path} {e.MessageEn}")));

    private async Task<bool> OtherNodeImportedAsync(WorkflowDefinition definition, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.Set<WorkflowDefinitionVersion>().AnyAsync(v => v.DefinitionId == definition.DefinitionId && v.Version == definition.Version, ct);
    }
}
