using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Captures;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Units;
using Rectify.Workflows;

namespace Rectify.Notices;

/// <summary>What an auditor types when starting or editing a draft; empty texts take the defaults from templates/notice.</summary>
public sealed record NoticeDraft(
    string Title,
    string Number,
    string Office,
    string Addressees,
    DateOnly Date,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    IReadOnlyList<int> InspectionIds,
    string? Introduction = null,
    string? Requirements = null,
    string? Attachments = null,
    string? ContactLine = null,
    int? CorrectsNoticeId = null);

public sealed record NoticeSummary(int Id, string Number, string Title, DateOnly Date, NoticeStatus Status, DateTimeOffset? IssuedAt, int? CorrectsNoticeId);

/// <summary>
/// Drafts, issues and renders notices. A draft is composed when it is created, saved or recomposed: its cut-off
/// (截至) is fixed then and the composed document stored as its preview. Issuing publishes exactly that preview,
/// once and whole (in chunks, see <see cref="IssueAsync"/>) with the start of its findings' workflows and the mails to the units, and refuses when
/// the data it was composed from has changed since.
/// </summary>
public sealed class NoticeService(
    RectifyDb db,
    NoticeComposer composer,
    NoticeTemplates templates,
    OfficeClock clock,
    FindingIssuer issuer,
    IMailOutbox outbox,
    FindingDeadline deadlines,
    LinkCaptureService captures,
    LinkCaptureWorker captureWorker,
    IOptions<NoticeOptions> options)
{
    internal static readonly JsonSerializerOptions SnapshotJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<List<NoticeSummary>> ListAsync(Actor actor, CancellationToken ct = default) =>
        await Visible(actor).OrderByDescending(n => n.Date).ThenByDescending(n => n.Id)
            .Select(n => new NoticeSummary(n.Id, n.Number, n.Title, n.Date, n.Status, n.IssuedAt, n.CorrectsNoticeId))
            .ToListAsync(ct);

    public async Task<Notice> GetAsync(int id, Actor actor, CancellationToken ct = default) =>
        await Visible(actor).AsNoTracking().Include(n => n.Inspections).FirstOrDefaultAsync(n => n.Id == id, ct)
        ?? throw RectifyException.NotFound("notice");

    public async Task<Notice> CreateDraftAsync(NoticeDraft draft, Actor actor, CancellationToken ct = default)
    {
        RequireAuditor(actor);
        var now = clock.Now;
        var notice = new Notice { CreatedAt = now, CreatedById = actor.Id };
        await ApplyAsync(notice, draft, ct);
        RequireDateNotBeforeCutOff(notice);
        await using (var transaction = await db.BeginWriteTransactionAsync(ct))
        {
            db.Add(notice);
            db.AuditAs("notice.drafted");
            await db.SaveChangesAsync(ct);
            // 回头看 of the evidence: the links of findings accepted since the previous notice are fetched again.
            var since = await db.Set<Notice>().Where(n => n.Status == NoticeStatus.Issued && n.Id != notice.Id).MaxAsync(n => n.IssuedAt, ct);
            await captures.QueueRechecksAsync(notice.Id, since, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        captureWorker.Wake();
        // The content names the notice by id, so the preview is composed once the row has one, outside the writer turn
        // (a big notice takes long to compose). A draft whose preview failed to save stays 未生成预览: issuing asks for one.
        await ComposePreviewAsync(notice, ct);
        await SaveDraftAsync(notice, "notice.composed", ct);
        return notice;
    }

    /// <summary>
    /// Puts the finding of a re-check that found its page gone or changed into the draft's follow-up (回头看) as
    /// 整改反弹, and composes the preview again with it. Two saves, so that composing runs outside the writer turn; a
    /// preview left behind by a failure between them is caught when issuing (notice.changed_since_preview).
    /// </summary>
    public async Task<Notice> AddReboundAsync(int id, int recheckId, Actor actor, CancellationToken ct = default)
    {
        RequireAuditor(actor);
        var notice = await db.Set<Notice>().Include(n => n.Inspections).FirstOrDefaultAsync(n => n.Id == id, ct)
            ?? throw RectifyException.NotFound("notice");
        RequireDraft(notice);
        var recheck = await db.Set<LinkCapture>().FirstOrDefaultAsync(c => c.Id == recheckId && c.NoticeId == id, ct)
            ?? throw RectifyException.NotFound("recheck");
        if (!recheck.IsRebound)
            throw RectifyException.Invalid("notice.rebound_not_found", "该链接复查未发现页面失效或内容变化，不能列为整改反弹。",
                "This re-check found the page neither gone nor changed; it is no rebound.");
        if (!recheck.AddedToFollowUp)
        {
            var finding = await db.Set<Finding>().SingleAsync(f => f.Id == recheck.FindingId, ct);
            recheck.AddedToFollowUp = true;
            finding.QueueForFollowUp(clock, "finding.rebound_queued");
            await db.SaveChangesAsync(ct);
        }
        await ComposePreviewAsync(notice, ct);
        await SaveDraftAsync(notice, "notice.recomposed", ct);
        return notice;
    }

    public async Task<Notice> UpdateDraftAsync(int id, NoticeDraft draft, Actor actor, CancellationToken ct = default)
    {
        RequireAuditor(actor);
        var notice = await db.Set<Notice>().Include(n => n.Inspections).FirstOrDefaultAsync(n => n.Id == id, ct)
            ?? throw RectifyException.NotFound("notice");
        RequireDraft(notice);
        await ApplyAsync(notice, draft, ct);
        await ComposePreviewAsync(notice, ct);
        await SaveDraftAsync(notice, "notice.edited", ct);
        return notice;
    }

    /// <summary>Composes the draft again from the data as it stands now: a new cut-off and a new preview.</summary>
    public async Task<Notice> RecomposeAsync(int id, Actor actor, CancellationToken ct = default)
    {
        RequireAuditor(actor);
        var notice = await db.Set<Notice>().Include(n => n.Inspections).FirstOrDefaultAsync(n => n.Id == id, ct)
            ?? throw RectifyException.NotFound("notice");
        RequireDraft(notice);
        await ComposePreviewAsync(notice, ct);
        await SaveDraftAsync(notice, "notice.recomposed", ct);
        return notice;
    }

    /// <summary>
    /// What changed in the data since the draft's preview was composed (empty when issuing would publish it as is).
    /// </summary>
    public async Task<List<string>> ChangesSincePreviewAsync(Notice notice, CancellationToken ct = default)
    {
        if (notice.Status != NoticeStatus.Draft)
            return [];
        if (Content(notice) is not { } preview || notice.CutOff is null)
            return [NotComposedText];
        var now = await composer.ComposeAsync(notice, notice.CutOff.Value, ct);
        return JsonSerializer.Serialize(now, SnapshotJson) == notice.Text!.Json ? [] : NoticeDifferences.Between(preview, now);
    }

    private const string NotComposedText = "草稿尚未生成预览";

    /// <summary>
    /// For the issue confirmation, per new finding of the draft's preview (Chinese, English): a deadline before today
    /// (issuing will be refused, finding.deadline_past) or one too short for the first reminder, as the finding's own
    /// draft page warns.
    /// </summary>
    public async Task<List<(string Message, string MessageEn)>> IssueWarningsAsync(Notice notice, CancellationToken ct = default)
    {
        if (notice.Status != NoticeStatus.Draft || Content(notice) is not { } preview)
            return [];
        var ids = preview.NewFindings.SelectMany(u => u.Findings).Select(f => f.FindingId).ToList();
        var drafts = await db.Set<Finding>().AsNoTracking().Include(f => f.Unit)
            .Where(f => ids.Contains(f.Id) && f.Status == FindingStatus.Draft).OrderBy(f => f.Id).ToListAsync(ct);
        var warnings = new List<(string, string)>();
        foreach (var finding in drafts)
        {
            if (deadlines.Effective(finding) is var deadline && deadline < deadlines.Today)
            {
                var past = FindingDeadline.Past(finding, deadline);
                warnings.Add((past.Message, past.MessageEn));
            }
            else if (await deadlines.ShortNoticeWarningAsync(finding, ct) is { } warning)
                warnings.Add(warning);
        }
        return warnings;
    }

    private async Task ComposePreviewAsync(Notice notice, CancellationToken ct)
    {
        // To the millisecond, as CutOff is stored (SQLite keeps milliseconds): the preview's 截至 must equal the instant
        // issuing composes it again at, or every real-time preview would differ from itself.
        var cutOff = DateTimeOffset.FromUnixTimeMilliseconds(clock.Now.ToUnixTimeMilliseconds());
        RequireDateNotBeforeCutOff(notice);
        var content = await composer.ComposeAsync(notice, cutOff, ct);
        notice.CutOff = cutOff;
        notice.Text ??= new NoticeText();
        notice.Text.Json = JsonSerializer.Serialize(content, SnapshotJson);
        notice.Text.Html = RenderBody(content);
    }

    /// <summary>截至 never falls after 成文日期: a document cannot report what happened after the date it bears.</summary>
    private void RequireDateNotBeforeCutOff(Notice notice)
    {
        if (clock.Today > notice.Date)
            throw RectifyException.Invalid("notice.date_before_cutoff",
                $"成文日期（{NoticeComposer.DateText(notice.Date)}）早于数据截至日期（{NoticeComposer.DateText(clock.Today)}），请将成文日期改为今天或以后。",
                $"The notice's date ({notice.Date:yyyy-MM-dd}) is before the cut-off ({clock.Today:yyyy-MM-dd}); date it today or later.");
    }

    private async Task SaveDraftAsync(Notice notice, string audit, CancellationToken ct)
    {
        notice.Version++;
        db.AuditAs(audit);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new RectifyException("notice.concurrent_change", "该通报已被他人修改或已印发，请刷新后重试。", "The notice was changed or issued meanwhile; reload and try again.");
        }
    }

    public async Task DeleteDraftAsync(int id, Actor actor, CancellationToken ct = default)
    {
        RequireAuditor(actor);
        var notice = await db.Set<Notice>().Include(n => n.Inspections).FirstOrDefaultAsync(n => n.Id == id, ct)
            ?? throw RectifyException.NotFound("notice");
        RequireDraft(notice);
        db.Remove(notice);
        db.AuditAs("notice.deleted");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Publishes the previewed notice as it was previewed, starts the workflow of each finding it names as new and
    /// queues one mail per unit with its own part. Refused before anything is written when composing it again at its
    /// cut-off gives anything else (notice.changed_since_preview, with the differences), when a new finding may not be
    /// issued (finding.deadline_past …), and a second time (notice.already_issued). A notice of any size is issued
    /// whole or not at all: it turns 印发中 (<see cref="NoticeStatus.Issuing"/>, seen by auditors only) with its
    /// snapshot and the units' mails held, its findings are issued in chunks through <see cref="FindingIssuer"/>, and
    /// one short transaction publishes all of it at once (a clean-up follows in chunks). Called on a notice left 印发中
    /// (a crash, a lost request), it goes on from where that stopped.
    /// </summary>
    public async Task<Notice> IssueAsync(int id, Actor actor, CancellationToken ct = default)
    {
        RequireAuditor(actor);
        var notice = await db.Set<Notice>().Include(n => n.Inspections).FirstOrDefaultAsync(n => n.Id == id, ct)
            ?? throw RectifyException.NotFound("notice");
        if (notice.IsIssued)
            throw AlreadyIssued();
        if (notice.Status == NoticeStatus.Draft)
            await StageIssueAsync(notice, actor, ct);
        // Once staged it goes on to the end even if the request goes away: a notice is not left 印发中 for nothing.
        return await CompleteIssueAsync(id, CancellationToken.None);
    }

    /// <summary>Checks the draft and turns it 印发中 with its snapshot, its staging and the units' mails (held): one transaction.</summary>
    private async Task StageIssueAsync(Notice notice, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(notice.Number))
            throw RectifyException.Invalid("notice.number_required", "印发前请填写文号。", "A notice needs a number before it is issued.");
        if (await db.Set<Notice>().AnyAsync(n => n.Id != notice.Id && n.Status != NoticeStatus.Draft && n.Number == notice.Number, ct))
            throw new RectifyException("notice.number_taken", $"文号“{notice.Number}”已被其他已印发通报使用。", $"Number {notice.Number} is already used by an issued notice.");

        var changes = await ChangesSincePreviewAsync(notice, ct);
        if (changes.Count > 0)
            throw new RectifyException("notice.changed_since_preview",
                changes is [NotComposedText] ? "草稿尚未生成预览，请先生成预览再印发。" : $"自生成预览以来，通报依据的数据有{changes.Count}处变化，请重新生成预览并核对后再印发。",
                "The data changed since the preview was composed; recompose the draft and issue the new preview.")
            { Details = changes };
        // The preview as composed, byte for byte, stays the text: the notice's status now says it is issued.
        var content = Content(notice)!;
        var drafts = await issuer.CheckAsync(content.NewFindings.SelectMany(u => u.Findings).Select(f => f.FindingId).ToList(), strict: false, ct);
        var staging = issuer.Stage(IssueStagingKind.Notice, drafts, actor);
        staging.NoticeId = notice.Id;
        foreach (var request in UnitMails(content))
            await outbox.EnqueueAsync(request, ct);
        issuer.Hold(staging.Id);
        notice.Status = NoticeStatus.Issuing;
        notice.UpdatedAt = clock.Now;
        notice.Version++;
        db.AuditAs("notice.issuing");
        db.WritesLongJob = true;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw AlreadyIssued();
        }
    }

    /// <summary>
    /// Issues what is left of a notice 印发中 and publishes it, or finishes the clean-up of one published; does nothing
    /// to a notice in another state.
    /// </summary>
    public async Task<Notice> CompleteIssueAsync(int id, CancellationToken ct = default)
    {
        var staging = await db.Set<IssueStaging>().AsNoTracking().Where(s => s.NoticeId == id).Select(s => new { s.Id, s.PublishedAt }).FirstOrDefaultAsync(ct);
        if (staging is { PublishedAt: not null })
            await issuer.CompleteAsync(staging.Id, null, ct);
        else if (staging?.Id is { } stagingId)
        {
            // Read and unpacked now, so that the final step (which holds SQLite's writer turn) only writes.
            var notice = await db.Set<Notice>().AsNoTracking().SingleAsync(n => n.Id == id, ct);
            var content = Content(notice)!;
            await WriteFindingListAsync(id, content, ct);
            await issuer.CompleteAsync(stagingId, (staging, c) => PublishAsync(notice, content, staging, c), ct);
        }
        db.ChangeTracker.Clear();
        return await db.Set<Notice>().Include(n => n.Inspections).SingleAsync(n => n.Id == id, ct);
    }

    /// <summary>
    /// The findings the notice names and in which section, written before it is published in chunks of their own (a
    /// long job: the short writes that queue go between them); what an earlier attempt wrote is kept. Nothing reads
    /// the list of a notice that is not issued yet (<see cref="NoticeComposer"/>).
    /// </summary>
    private async Task WriteFindingListAsync(int id, NoticeContent content, CancellationToken ct)
    {
        var written = (await db.Set<NoticeFinding>().AsNoTracking().Where(nf => nf.NoticeId == id).Select(nf => nf.FindingId).ToListAsync(ct)).ToHashSet();
        var list = content.NewFindings.SelectMany(u => u.Findings).Select(f => new NoticeFinding { NoticeId = id, FindingId = f.FindingId, Section = NoticeSection.New })
            .Concat(content.FollowUpNotRectified.Concat(content.FollowUpNoReport).SelectMany(u => u.Findings)
                .Select(f => new NoticeFinding { NoticeId = id, FindingId = f.FindingId, Section = NoticeSection.FollowUp }))
            .Where(nf => !written.Contains(nf.FindingId))
            .ToArray();
        db.WritesLongJob = true;
        var pacer = new ChunkPacer(FindingIssuer.CleanUpChunkSize);
        for (var offset = 0; offset < list.Length;)
        {
            var chunk = pacer.Next(list, offset);
            offset += chunk.Length;
            db.AddRange(chunk);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            pacer.Wrote(chunk.Length, db.LastWriteTime);
        }
    }

    /// <summary>Progress of a notice 印发中 (findings issued, of how many); null when none is under way (a published one is issued).</summary>
    public Task<IssueProgress?> IssueProgressAsync(int id, CancellationToken ct = default) =>
        db.Set<IssueStaging>().AsNoTracking().Where(s => s.NoticeId == id && s.PublishedAt == null)
            .Select(s => (IssueProgress?)new IssueProgress(s.Done, s.Total, s.StartedAt)).FirstOrDefaultAsync(ct);

    /// <summary>The notice's part of the publishing transaction: issued (its finding list with it), with its completion figures and the audit head.</summary>
    private async Task PublishAsync(Notice notice, NoticeContent content, IssueStaging staging, CancellationToken ct)
    {
        db.Attach(notice);
        var now = clock.Now;
        notice.Status = NoticeStatus.Issued;
        notice.IssuedAt = now;
        notice.IssuedById = staging.ActorId;
        notice.IssuedByName = staging.ActorName;
        notice.UpdatedAt = now;
        notice.Version++;
        notice.UnitFigures = content.Completion.Select(r => new NoticeUnitFigure
        {
            UnitId = r.UnitId,
            UnitName = r.UnitName,
            Findings = r.Findings,
            ReportsOnTime = r.ReportsOnTime,
            Accepted = r.Accepted,
            Overdue = r.Overdue,
            CompletionRate = r.Rate,
        }).ToList();
        // The history up to this moment (the findings just started included): the published notice anchors it.
        if (await AuditChain.HeadAsync(db, ct) is { } head)
            (notice.AuditHeadSequence, notice.AuditHeadHash) = (head.Sequence, head.Hash);
        db.AuditAs("notice.issued");
    }

    /// <summary>The notice's content: the preview for a draft, the frozen snapshot once issued.</summary>
    public async Task<NoticeContent> ContentAsync(int id, Actor actor, CancellationToken ct = default) =>
        await ContentAsync(await GetAsync(id, actor, ct), ct);

    public async Task<NoticeContent> ContentAsync(Notice notice, CancellationToken ct = default) =>
        Content(notice) ?? await composer.ComposeAsync(notice, clock.Now, ct); // a draft from before previews were stored

    private static NoticeContent? Content(Notice notice) => notice.Text is { } text
        ? JsonSerializer.Deserialize<NoticeContent>(text.Json, SnapshotJson)! with { IsIssued = notice.Status != NoticeStatus.Draft }
        : null;

    /// <summary>The notice body (XHTML fragment): the preview for a draft, as issued otherwise.</summary>
    public async Task<string> BodyHtmlAsync(int id, Actor actor, CancellationToken ct = default) =>
        await BodyHtmlAsync(await GetAsync(id, actor, ct), ct);

    public async Task<string> BodyHtmlAsync(Notice notice, CancellationToken ct = default) =>
        notice.Text?.Html ?? RenderBody(await ContentAsync(notice, ct));

    /// <summary>A stand-alone page for the government website.</summary>
    public async Task<string> PageHtmlAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var notice = await GetAsync(id, actor, ct);
        return RenderPage(await ContentAsync(notice, ct), await BodyHtmlAsync(notice, ct), AuditHead(notice));
    }

    /// <summary>
    /// The official document; with the 版头 unless the office switched it off (Notices:Letterhead) or the caller asks
    /// for none (<paramref name="letterhead"/> false, for a notice published on the web only).
    /// </summary>
    public async Task<byte[]> DocxAsync(int id, Actor actor, bool? letterhead = null, CancellationToken ct = default)
    {
        var notice = await GetAsync(id, actor, ct);
        var settings = options.Value;
        var head = letterhead ?? settings.Letterhead
            ? new Letterhead(settings.LetterheadMark is { Length: > 0 } mark ? mark : notice.Office, settings.LetterheadColor)
            : null;
        return NoticeDocxWriter.Write(await BodyHtmlAsync(notice, ct), head, NoticeDocxProperties.Of(AuditHead(notice)));
    }

    /// <summary>The audit chain's head recorded when the notice was issued (null for a draft).</summary>
    public static AuditChainHead? AuditHead(Notice notice) =>
        notice is { AuditHeadSequence: { } sequence, AuditHeadHash: { } hash } ? new AuditChainHead(sequence, hash) : null;

    public string RenderBody(NoticeContent content) =>
        templates.Render("notice.liquid", new Dictionary<string, object?> { ["n"] = content });

    public string RenderPage(NoticeContent content, string body, AuditChainHead? auditHead = null) =>
        templates.Render("notice-page.liquid", new Dictionary<string, object?>
        {
            ["n"] = content,
            ["body"] = body,
            ["audit_head"] = auditHead is null ? null : new Dictionary<string, object?> { ["sequence"] = auditHead.Sequence, ["hash"] = auditHead.Hash },
        });

    /// <summary>The defaults a new draft starts with.</summary>
    public NoticeDraft NewDraft(IReadOnlyList<int> inspectionIds, DateOnly periodStart, DateOnly periodEnd, string office) => new(
        Title: $"关于{NoticeComposer.PeriodText(periodStart, periodEnd)}政务公开工作检查情况的通报",
        Number: "",
        Office: office,
        Addressees: "各街道办事处，区政府各部门，各有关单位",
        Date: clock.Today,
        PeriodStart: periodStart,
        PeriodEnd: periodEnd,
        InspectionIds: inspectionIds,
        Requirements: templates.ReadText("requirements.default.txt"),
        Attachments: templates.ReadText("attachments.default.txt"));

    /// <summary>Each issued notice's completion rate per unit, oldest first, for the dashboard chart.</summary>
    public async Task<CompletionSeries> CompletionSeriesAsync(CancellationToken ct = default)
    {
        var notices = await db.Set<Notice>().AsNoTracking().Where(n => n.Status == NoticeStatus.Issued)
            .OrderBy(n => n.Date).ThenBy(n => n.IssuedAt).ThenBy(n => n.Id)
            .Select(n => new SeriesNotice(n.Id, n.Number, n.Date)).ToListAsync(ct);
        var ids = notices.Select(n => n.Id).ToList();
        var figures = await db.Set<NoticeUnitFigure>().AsNoTracking().Where(f => ids.Contains(f.NoticeId)).ToListAsync(ct);
        var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var units = figures.GroupBy(f => f.UnitId)
            .Select(g => new SeriesUnit(g.Key, g.OrderBy(f => order[f.NoticeId]).Last().UnitName,
                g.OrderBy(f => order[f.NoticeId]).Select(f => new SeriesPoint(f.NoticeId, f.CompletionRate)).ToList()))
            .OrderBy(u => u.UnitId).ToList();
        return new CompletionSeries(notices, units);
    }

    private static IEnumerable<MailRequest> UnitMails(NoticeContent content)
    {
        var followUp = content.FollowUpNotRectified.Concat(content.FollowUpNoReport).ToLookup(u => u.UnitId);
        var unitIds = content.NewFindings.Select(u => u.UnitId).Concat(followUp.Select(g => g.Key)).Distinct();
        foreach (var unitId in unitIds)
        {
            var fresh = content.NewFindings.FirstOrDefault(u => u.UnitId == unitId);
            var again = followUp[unitId].SelectMany(u => u.Findings).ToList();
            var part = new StringBuilder();
            if (fresh is not null)
            {
                part.AppendLine(CultureInfo.InvariantCulture, $"本期通报你单位问题{fresh.Findings.Count}个：");
                foreach (var f in fresh.Findings)
                    part.AppendLine(CultureInfo.InvariantCulture, $"（{f.Index}）【{f.Category}】{Where(f)}{f.Description}（整改期限：{f.DeadlineText}）");
            }
            if (again.Count > 0)
            {
                part.AppendLine(CultureInfo.InvariantCulture, $"前期通报问题中，你单位有{again.Count}个问题未按期整改或未按时提交整改报告，本期再次通报：");
                foreach (var (f, i) in again.Select((f, i) => (f, i + 1)))
                    part.AppendLine(CultureInfo.InvariantCulture, $"（{i}）【{f.Category}】{Where(f)}{f.Description}（原整改期限：{f.DeadlineText}，{f.Note}）");
            }
            var unitName = fresh?.UnitName ?? followUp[unitId].First().UnitName;
            // A unit named again in the follow-up is escalated: its leader reads the notice too.
            IReadOnlyList<MailRecipient> to = again.Count > 0
                ? [new MailRecipient(RecipientKind.Liaison), new MailRecipient(RecipientKind.Leader)]
                : [new MailRecipient(RecipientKind.Liaison)];
            yield return new MailRequest("notice-unit", to, $"notice:{content.NoticeId}:unit:{unitId}",
                UnitId: unitId, NoticeId: content.NoticeId,
                Values: new Dictionary<string, string>
                {
                    ["notice_id"] = content.NoticeId.ToString(CultureInfo.InvariantCulture),
                    ["notice_title"] = content.Title,
                    ["notice_number"] = content.Number,
                    ["office"] = content.Office,
                    ["date"] = content.DateText,
                    ["unit_name"] = unitName,
                    ["new_count"] = (fresh?.Findings.Count ?? 0).ToString(CultureInfo.InvariantCulture),
                    ["follow_up_count"] = again.Count.ToString(CultureInfo.InvariantCulture),
                    ["part"] = part.ToString().TrimEnd(),
                });
        }

        static string Where(FindingLine f) => f.Location.Length > 0 ? $"{f.Location}：" : "";
    }

    private async Task ApplyAsync(Notice notice, NoticeDraft draft, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(draft.Title))
            throw RectifyException.Invalid("notice.title_required", "请填写通报标题。", "A notice needs a title.");
        if (string.IsNullOrWhiteSpace(draft.Office))
            throw RectifyException.Invalid("notice.office_required", "请填写发文机关。", "A notice needs an issuing office.");
        if (draft.PeriodEnd < draft.PeriodStart)
            throw RectifyException.Invalid("notice.period_invalid", "通报期间的结束日期不能早于开始日期。", "The period ends before it starts.");
        var inspectionIds = draft.InspectionIds.Distinct().ToList();
        var known = await db.Set<Inspection>().CountAsync(i => inspectionIds.Contains(i.Id), ct);
        if (known != inspectionIds.Count)
            throw RectifyException.Invalid("notice.inspection_unknown", "所选检查不存在。", "An inspection does not exist.");
        // An inspection whose findings were all published has nothing left for a new notice (a correction re-publishes).
        if (draft.CorrectsNoticeId is null &&
            await db.Set<Inspection>().Where(i => inspectionIds.Contains(i.Id))
                .FirstOrDefaultAsync(i => !db.Set<Finding>().Any(f => f.InspectionId == i.Id && f.Status == FindingStatus.Draft), ct) is { } issued)
            throw RectifyException.Invalid("notice.inspection_issued", $"检查“{issued.Title}”的问题均已通报，无需再次通报。",
                $"Every finding of inspection '{issued.Title}' has been issued already.");
        if (draft.CorrectsNoticeId is { } corrects &&
            !await db.Set<Notice>().AnyAsync(n => n.Id == corrects && n.Status == NoticeStatus.Issued, ct))
            throw RectifyException.Invalid("notice.corrects_not_issued", "更正的对象必须是已印发的通报。", "A correction refers to an issued notice.");

        notice.Title = draft.Title.Trim();
        notice.Number = draft.Number.Trim();
        notice.Office = draft.Office.Trim();
        notice.Addressees = draft.Addressees.Trim();
        notice.Date = draft.Date;
        notice.PeriodStart = draft.PeriodStart;
        notice.PeriodEnd = draft.PeriodEnd;
        notice.Introduction = draft.Introduction?.Trim() ?? "";
        notice.Requirements = Normalize(draft.Requirements);
        notice.Attachments = Normalize(draft.Attachments);
        notice.ContactLine = draft.ContactLine?.Trim() ?? "";
        notice.CorrectsNoticeId = draft.CorrectsNoticeId;
        notice.UpdatedAt = clock.Now;
        notice.Inspections.RemoveAll(i => !inspectionIds.Contains(i.InspectionId));
        foreach (var inspectionId in inspectionIds.Where(i => notice.Inspections.All(x => x.InspectionId != i)))
            notice.Inspections.Add(new NoticeInspection { InspectionId = inspectionId });

        static string Normalize(string? text) => string.Join('\n', NoticeComposer.Lines(text ?? ""));
    }

    /// <summary>Drafts are the office's work in progress; everybody signed in may read issued notices.</summary>
    private IQueryable<Notice> Visible(Actor actor) =>
        actor.IsLiaison ? db.Set<Notice>().Where(n => n.Status == NoticeStatus.Issued) : db.Set<Notice>();

    private static void RequireAuditor(Actor actor)
    {
        if (!actor.IsAuditor && actor != Actor.System)
            throw RectifyException.Forbidden("notice.forbidden", "只有审核人员可以起草和印发通报。", "Only auditors draft and issue notices.");
    }

    private static void RequireDraft(Notice notice)
    {
        if (notice.Status == NoticeStatus.Issuing)
            throw new RectifyException("notice.issuing", "通报正在印发，不能修改。", "The notice is being issued; it can no longer be changed.");
        if (notice.IsIssued)
            throw new RectifyException("notice.issued_readonly", "通报已印发，不能再修改；如需更正请新建更正通报。", "An issued notice never changes; issue a correction instead.");
    }

    private static RectifyException AlreadyIssued() =>
        new("notice.already_issued", "该通报已印发，不能重复印发。", "This notice has already been issued.");
}

/// <summary>How far a notice 印发中 is: findings issued of all, and since when.</summary>
public sealed record IssueProgress(int Done, int Total, DateTimeOffset StartedAt);

public sealed record CompletionSeries(List<SeriesNotice> Notices, List<SeriesUnit> Units);
public sealed record SeriesNotice(int Id, string Number, DateOnly Date);
public sealed record SeriesUnit(int UnitId, string UnitName, List<SeriesPoint> Points);
public sealed record SeriesPoint(int NoticeId, double Rate);
