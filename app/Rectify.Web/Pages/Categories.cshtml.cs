using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Web.Auth;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages;

/// <summary>The category catalogue: each row is its own edit form, a blank one at the end adds a category.</summary>
[Authorize(Policy = Policies.Supervisor)]
public class CategoriesModel(CategoryService categories, ActorContext actor) : PageModel
{
    public IReadOnlyList<Category> Rows { get; private set; } = [];
    /// <summary>The row whose save was refused (0 for the new one), its message and what was typed.</summary>
    public int? ErrorId { get; private set; }
    public string? Error { get; private set; }
    public CategoryInput? Typed { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Rows = await categories.ListAsync(includeInactive: true, ct);

    public async Task<IActionResult> OnPostAsync(int id, string name, string nameEn, string description, int sortOrder, bool isActive, CancellationToken ct)
    {
        var input = new CategoryInput(name ?? "", nameEn ?? "", description ?? "", sortOrder, isActive);
        try
        {
            if (id == 0)
                await categories.CreateAsync(input, actor.Actor, ct);
            else
                await categories.UpdateAsync(id, input, actor.Actor, ct);
            return Redirect("/categories");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            (ErrorId, Error, Typed) = (id, e.Message(), input);
            Rows = await categories.ListAsync(includeInactive: true, ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }
}
