using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;

namespace Rectify.Web.Pages.Mail;

/// <summary>邮件: what Rectify sent or will send; staff see everything, a liaison the messages to its own unit.</summary>
public class IndexModel(OutboxQueries queries, MailTemplates templates, ActorContext actor, TimeProvider time, IOptions<MailOptions> options) : PageModel
{
    public IReadOnlyList<OutboxEntry> Rows { get; private set; } = [];
    public IReadOnlyList<TemplateProblem> Problems { get; private set; } = [];
    public OutboxStatus? Status { get; private set; }
    public DateTimeOffset Now { get; } = time.GetUtcNow();
    /// <summary>A message already due goes out at the sender's next poll, at most this long from now.</summary>
    public int PollSeconds { get; } = (int)Math.Ceiling(options.Value.PollInterval.TotalSeconds);
    public bool IsStaff => actor.Actor.IsAuditor || actor.Actor.IsSupervisor;

    public async Task OnGetAsync(OutboxStatus? status, CancellationToken ct)
    {
        Status = status;
        Rows = await queries.ListAsync(actor.Actor, status, 500, ct);
        Problems = IsStaff ? templates.Problems : [];
    }
}
