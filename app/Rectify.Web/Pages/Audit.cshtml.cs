using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Time;
using Rectify.Web.Auth;
using System.Globalization;

namespace Rectify.Web.Pages;

/// <summary>
/// 操作记录核验: the audit chain's head, and on request a check of the whole chain naming the first entry that no
/// longer matches (a read, so a plain GET; it reads every entry, so only when asked).
/// </summary>
[Authorize(Policy = Policies.Supervisor)]
public class AuditModel(RectifyDb db, IAuditAnchors anchors, OfficeClock clock) : PageModel
{
    public AuditChainHead? Head { get; private set; }
    public AuditChainReport? Report { get; private set; }

    public async Task OnGetAsync(bool verify, CancellationToken ct)
    {
        if (verify)
        {
            Report = await AuditChain.VerifyAsync(db, anchors, ct);
            Head = Report.Head;
        }
        else
            Head = await AuditChain.HeadAsync(db, ct);
    }

    public string Local(DateTimeOffset instant) => clock.ToLocal(instant).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
