using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Web.Localization;

namespace Rectify.Web.Pages.Shared;

/// <summary>The forms' drop-downs: <see cref="FindingChoices"/> in the page's language.</summary>
public static class Lookups
{
    public sealed record Option(int Id, string Name);

    public static async Task<List<Option>> UnitsAsync(FindingChoices choices, Actor actor, CancellationToken ct = default) =>
        InPageLanguage(await choices.UnitsAsync(actor, ct));

    public static async Task<List<Option>> CategoriesAsync(FindingChoices choices, Actor actor, CancellationToken ct = default) =>
        InPageLanguage(await choices.CategoriesAsync(actor, ct));

    public static async Task<List<Option>> InspectionsAsync(FindingChoices choices, Actor actor, CancellationToken ct = default) =>
        InPageLanguage(await choices.InspectionsAsync(actor, ct));

    private static List<Option> InPageLanguage(IReadOnlyList<Choice> choices) =>
        choices.Select(c => new Option(c.Id, Lang.IsEnglish && c.NameEn.Length > 0 ? c.NameEn : c.Name)).ToList();
}
