using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Time;
using Rectify.Todo;

namespace Rectify.Web.Pages;

/// <summary>待办: every role's home, what to do next (signing in lands here; the statistics are on /dashboard).</summary>
public class TodoModel(TodoService todo, OfficeClock clock, ActorContext actor) : PageModel
{
    public TodoList List { get; private set; } = null!;
    public Actor Actor => actor.Actor;
    public DateOnly Today => clock.Today;

    public string Local(DateTimeOffset instant) => clock.ToLocal(instant).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public async Task OnGetAsync(CancellationToken ct) => List = await todo.GetAsync(actor.Actor, ct);
}

/// <summary>One finding on a to-do list with its next action, a button (the partial _TodoFinding).</summary>
public sealed record TodoItem(TodoFinding Finding, string Action, string Href, bool ShowUnit = true);
