using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Categories;
using Rectify.Common;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail.Templates;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Units;
using Rectify.Users;

namespace Rectify.Mail.Outbox;

/// <summary>
/// Queues messages on the caller's <see cref="RectifyDb"/> without saving: the rows commit with the caller's change
/// or not at all. Each recipient gets its own row holding the template name and the view model of the finding as it
/// is now (JSON); <see cref="MailSender"/> renders it when it sends, so a change that queues mail pays no rendering.
/// </summary>
public sealed class MailOutbox : IMailOutbox
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new PlainValueConverter() },
    };

    private readonly RectifyDb _db;
    private readonly OfficeClock _clock;
    private readonly WorkingDayCalendar _calendar;
    private readonly IOptions<MailOptions> _options;
    private readonly IOptions<OfficeOptions> _office;
    private readonly ILogger<MailOutbox> _logger;

    // What this scope has queued. Scanning the change tracker instead would run DetectChanges over every tracked
    // entity per message: quadratic when a notice starts a thousand workflows in one transaction. A context cleared
    // for a retry detaches them, so only rows still Added count.
    private readonly Dictionary<(string Key, string Address), OutboxMessage> _queued = [];

    // Rows queued as fallbacks (MailRequest.GivesWay): settled against the other rows of the save before it writes.
    private readonly List<OutboxMessage> _fallbacks = [];

    // Recipients read from the users table, per kind (and unit): one query per scope, not one per message.
    private readonly Dictionary<(RecipientKind Kind, int? UnitId), List<Recipient>> _users = [];

    public MailOutbox(RectifyDb db, OfficeClock clock, WorkingDayCalendar calendar, IOptions<MailOptions> options, IOptions<OfficeOptions> office, ILogger<MailOutbox> logger)
    {
        _db = db;
        _clock = clock;
        _calendar = calendar;
        _options = options;
        _office = office;
        _logger = logger;
        db.BeforeSave(GiveWay);
    }

    public async Task<IReadOnlySet<string>> QueuedAsync(IReadOnlyCollection<string> deduplicationKeys, CancellationToken cancellationToken = default) =>
        (await _db.Set<OutboxMessage>().AsNoTracking().Where(m => deduplicationKeys.Contains(m.DeduplicationKey))
            .Select(m => m.DeduplicationKey).ToListAsync(cancellationToken)).ToHashSet();

    public async Task EnqueueAsync(MailRequest request, CancellationToken cancellationToken = default)
    {
        var finding = request.FindingId is { } findingId ? await LoadFindingAsync(findingId, cancellationToken) : null;
        var unitId = finding?.UnitId ?? request.UnitId;
        var unit = finding?.Unit ?? (unitId is { } id ? await _db.Set<Unit>().FindAsync([id], cancellationToken) : null);
        var now = _clock.Now;

        foreach (var recipient in await ResolveAsync(request.To, unit, cancellationToken))
        {
            // A row already stored is left out by the save's insert (the key and address are a unique index).
            if (_queued.TryGetValue((request.DeduplicationKey, recipient.Address), out var queued) && IsAdded(queued))
                continue;
            var message = new OutboxMessage
            {
                Template = request.Template,
                DeduplicationKey = request.DeduplicationKey,
                RecipientKind = recipient.Kind,
                RecipientAddress = recipient.Address,
                RecipientName = recipient.Name,
                FindingId = finding?.Id ?? request.FindingId,
                UnitId = unitId,
                NoticeId = request.NoticeId,
                CreatedAt = now,
                NextAttemptAt = request.NotBefore is { } notBefore && notBefore > now ? notBefore : now,
            };
            if (recipient.Address.Length == 0)
                Fail(message, recipient.Kind == RecipientKind.Leader ? "单位未登记责任人邮箱，无法发送。" : "单位未登记联络人邮箱，无法发送。");
            else
                message.ModelJson = JsonSerializer.Serialize(Model(recipient, finding, unit, request.Values), Json);
            _db.Add(message);
            _queued[(request.DeduplicationKey, recipient.Address)] = message;
            if (request.GivesWay)
                _fallbacks.Add(message);
        }
    }

    // What values.* hold when a mail is previewed on /templates (each kind of mail fills a few of them).
    private static readonly IReadOnlyDictionary<string, string> PreviewValues = new Dictionary<string, string>
    {
        ["comment"] = "（示例）请补充整改佐证材料。", ["date"] = "（示例日期）", ["notice_number"] = "（示例）政务公开办〔2026〕1号",
        ["notice_title"] = "（示例）关于政务公开检查情况的通报", ["part"] = "（示例）本单位在通报中的问题清单。",
    };

    /// <summary>
    /// The model a mail about <paramref name="findingId"/> to its unit's liaison would be queued with now, for the
    /// preview on /templates; a digest lists that one finding.
    /// </summary>
    public async Task<object> PreviewModelAsync(string template, int findingId, CancellationToken ct = default)
    {
        var finding = await LoadFindingAsync(findingId, ct) ?? throw RectifyException.NotFound("finding");
        var values = PreviewValues.Append(new("office", _office.Value.Name)).Append(new("unit_name", finding.Unit?.Name ?? "")).ToDictionary();
        var model = Model(new Recipient(RecipientKind.Liaison, finding.Unit?.Liaison.Email ?? "", finding.Unit?.Liaison.Name ?? ""), finding, finding.Unit, values);
        return template == MailComposer.DigestTemplate
            ? new DigestModel(model.BaseUrl, model.Office, model.Today, model.Recipient, model.Link, 1,
                [new DigestItemView("reminder", $"【催办】{model.Finding!.Unit}：问题整改将于{model.Finding.Deadline}到期", model.Link, model.Finding)])
            : model;
    }

    /// <summary>The view model a row was queued with.</summary>
    internal static MailModel ReadModel(string json) => JsonSerializer.Deserialize<MailModel>(json, Json)!;

    /// <summary>
    /// Drops each fallback row that another row of this save, about the same finding and to the same address,
    /// makes redundant (e.g. the deadline-changed mail beside the workflow's report-returned one); that row takes
    /// over the fallback's values it does not set itself, so the one mail still says what changed.
    /// </summary>
    private void GiveWay()
    {
        var fallbacks = _fallbacks.Where(IsAdded).ToHashSet();
        _fallbacks.Clear();
        if (fallbacks.Count == 0)
            return;
        var others = _queued.Values.Where(m => m.FindingId is not null && !fallbacks.Contains(m) && IsAdded(m))
            .ToLookup(m => (m.FindingId, m.RecipientAddress.ToLowerInvariant()));
        foreach (var fallback in fallbacks)
        {
            if (others[(fallback.FindingId, fallback.RecipientAddress.ToLowerInvariant())].FirstOrDefault() is not { } other)
                continue;
            if (other.ModelJson is not null && fallback.ModelJson is not null)
                other.ModelJson = WithValuesOf(other.ModelJson, fallback.ModelJson);
            _db.Entry(fallback).State = EntityState.Detached;
        }
    }

    private static string WithValuesOf(string json, string fallbackJson)
    {
        var model = JsonNode.Parse(json)!.AsObject();
        var values = model[nameof(MailModel.Values)] as JsonObject ?? [];
        if (JsonNode.Parse(fallbackJson)?[nameof(MailModel.Values)] is JsonObject added)
        {
            foreach (var (key, value) in added)
                values.TryAdd(key, value?.DeepClone());
        }
        model[nameof(MailModel.Values)] = values;
        return model.ToJsonString(Json);
    }

    // A queued row changes state only through the context (added, detached by a retry or by the rules above): its
    // entry needs no DetectChanges, which Entry() would otherwise run on it, message after message.
    private bool IsAdded(OutboxMessage message)
    {
        using (_db.ChangesAlreadyDetected())
            return _db.Entry(message).State == EntityState.Added;
    }

    private static void Fail(OutboxMessage message, string error)
    {
        message.Status = OutboxStatus.Failed;
        message.LastError = error;
    }

    // What the templates show, each read by a compiled query: Reference(...).LoadAsync and Collection(...).LoadAsync
    // build, funcletize and look up a new query per mail, a cost every submitted report and every notice's mail paid.
    // Tracked, so the finding's navigations are fixed up as a load would; query filters apply as they do to a load.
    private static readonly CompiledPerModel<Func<RectifyDb, int, CancellationToken, Task<Unit?>>> UnitById =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int id, CancellationToken ct) => db.Set<Unit>().SingleOrDefault(u => u.Id == id)));
    private static readonly CompiledPerModel<Func<RectifyDb, int, CancellationToken, Task<Category?>>> CategoryById =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int id, CancellationToken ct) => db.Set<Category>().SingleOrDefault(c => c.Id == id)));
    private static readonly CompiledPerModel<Func<RectifyDb, int, CancellationToken, Task<Inspection?>>> InspectionById =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int id, CancellationToken ct) => db.Set<Inspection>().SingleOrDefault(i => i.Id == id)));

    /// <summary>The finding as the caller sees it (tracked changes included), with what the templates show.</summary>
    private async Task<Finding?> LoadFindingAsync(int id, CancellationToken ct)
    {
        // FindAsync answers a tracked finding from the identity map, without a query and without DetectChanges.
        var finding = await _db.Set<Finding>().FindAsync([id], ct);
        if (finding is null)
            return null;
        EntityEntry<Finding> entry;
        // Which navigations are loaded is the tracker's to say, not a property change to detect: Entry() would
        // otherwise compare every property and collection of the finding, mail after mail.
        using (_db.ChangesAlreadyDetected())
            entry = _db.Entry(finding);
        if (entry.State == EntityState.Added)
            return finding;
        // Set already when the caller tracks the unit, category or inspection (a batch loads them once).
        await LoadAsync(entry.Reference(nameof(Finding.Unit)), () => UnitById.For(_db)(_db, finding.UnitId, ct));
        await LoadAsync(entry.Reference(nameof(Finding.Category)), () => CategoryById.For(_db)(_db, finding.CategoryId, ct));
        await LoadAsync(entry.Reference(nameof(Finding.Inspection)), () => InspectionById.For(_db)(_db, finding.InspectionId, ct));
        if (!entry.Collection(nameof(Finding.Reports)).IsLoaded)
            await FindingParts.LoadReportsAsync(_db, finding, ct);
        if (!entry.Collection(nameof(Finding.ExtensionRequests)).IsLoaded)
            await FindingParts.LoadExtensionRequestsAsync(_db, finding, ct);
        return finding;
    }

    private static async Task LoadAsync(NavigationEntry navigation, Func<Task> load)
    {
        if (navigation.IsLoaded || navigation is ReferenceEntry { CurrentValue: not null })
            return;
        await load();
        navigation.IsLoaded = true;
    }

    private sealed record Recipient(RecipientKind Kind, string Address, string Name);

    private async Task<List<Recipient>> ResolveAsync(IReadOnlyList<MailRecipient> to, Unit? unit, CancellationToken ct)
    {
        var recipients = new List<Recipient>();
        foreach (var r in to)
        {
            switch (r.Kind)
            {
                case RecipientKind.Liaison when unit is not null:
                    if (unit.Liaison.Email.Length > 0)
                        recipients.Add(new(r.Kind, unit.Liaison.Email.Trim(), unit.Liaison.Name));
                    else
                    {
                        // No address in the contact table: the unit's liaison accounts, or a visible failure.
                        var users = await UsersAsync(r.Kind, UserRole.UnitLiaison, unit.Id, ct);
                        recipients.AddRange(users.Count > 0 ? users : [new Recipient(r.Kind, "", unit.Liaison.Name)]);
                    }
                    break;
                case RecipientKind.Leader when unit is not null:
                    recipients.Add(new(r.Kind, unit.Leader.Email.Trim(), unit.Leader.Name));
                    break;
                case RecipientKind.Supervisors:
                    recipients.AddRange(await UsersAsync(r.Kind, UserRole.Supervisor, null, ct));
                    break;
                case RecipientKind.Auditors:
                    recipients.AddRange(await UsersAsync(r.Kind, UserRole.Auditor, null, ct));
                    break;
                case RecipientKind.Address when !string.IsNullOrWhiteSpace(r.Address):
                    recipients.Add(new(r.Kind, r.Address.Trim(), ""));
                    break;
                default:
                    _logger.LogWarning("Mail recipient {Kind} has no address (unit {Unit}); skipped.", r.Kind, unit?.Name);
                    break;
            }
        }
        return recipients.DistinctBy(r => r.Address.ToLowerInvariant()).ToList();
    }

    // The active users of a role with an address (of one unit when given), by a compiled query.
    private static readonly CompiledPerModel<Func<RectifyDb, UserRole, int?, IAsyncEnumerable<UserAddress>>> UsersOf =
        new(() => EF.CompileAsyncQuery((RectifyDb db, UserRole role, int? unitId) => db.Users
            .Where(u => u.Role == role && (unitId == null || u.UnitId == unitId) && u.IsActive && u.Email != null && u.Email != "")
            .OrderBy(u => u.Email).Select(u => new UserAddress(u.Email!, u.DisplayName))));

    // A class, not a tuple: Npgsql would read a tuple as a PostgreSQL record.
    private sealed record UserAddress(string Email, string Name);

    private async Task<List<Recipient>> UsersAsync(RecipientKind kind, UserRole role, int? unitId, CancellationToken ct)
    {
        if (!_users.TryGetValue((kind, unitId), out var users))
        {
            users = [];
            await foreach (var user in UsersOf.For(_db)(_db, role, unitId).WithCancellation(ct))
                users.Add(new Recipient(kind, user.Email.Trim(), user.Name));
            _users[(kind, unitId)] = users;
        }
        return users;
    }

    private MailModel Model(Recipient recipient, Finding? finding, Unit? unit, IReadOnlyDictionary<string, string>? values)
    {
        var baseUrl = _options.Value.BaseUrl.TrimEnd('/');
        var isLiaison = recipient.Kind is RecipientKind.Liaison or RecipientKind.Leader;
        var findingView = finding is null ? null : View(finding, baseUrl);
        return new MailModel(
            baseUrl,
            _office.Value.Name,
            Date(_clock.Today),
            new RecipientView(recipient.Name, recipient.Address, recipient.Kind.ToString(), isLiaison),
            findingView?.Link ?? baseUrl + (isLiaison ? "/my" : "/dashboard"),
            findingView,
            unit is null ? null : new UnitView(unit.Id, unit.Name, unit.Leader.Name, unit.Liaison.Name),
            values?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value) ?? new Dictionary<string, object?>());
    }

    private FindingView View(Finding f, string baseUrl)
    {
        var report = f.Reports.OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id).FirstOrDefault();
        var extension = f.ExtensionRequests.OrderByDescending(x => x.RequestedAt).ThenByDescending(x => x.Id).FirstOrDefault();
        var remaining = RemainingTime.Of(_calendar, _clock.Today, f.Deadline);
        return new FindingView(
            f.Id,
            $"{baseUrl}/findings/{f.Id}",
            f.Unit?.Name ?? "",
            f.Category?.Name ?? "",
            f.Inspection?.Title ?? "",
            f.Location,
            f.Description,
            f.Requirement,
            f.Severity.Label().Zh,
            Date(f.Deadline),
            f.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            remaining.WorkingDays,
            remaining.Chinese,
            f.Status.Label().Zh,
            f.IsOverdue,
            report is null ? null : new ReportView(
                report.SubmittedByName,
                Date(DateOnly.FromDateTime(_clock.ToLocal(report.SubmittedAt).DateTime)),
                report.IsFullyRectified,
                report.Measures,
                report.Decision.Label().Zh,
                report.ReviewComment,
                report.ReviewedByName),
            extension is null ? null : new ExtensionView(
                extension.RequestedByName,
                Date(extension.CurrentDeadline),
                Date(extension.RequestedDeadline),
                extension.Reason,
                extension.Decision == ExtensionDecision.Approved,
                extension.Decision.Label().Zh,
                extension.DecisionComment));
    }

    internal static string Date(DateOnly date) => $"{date.Year}年{date.Month}月{date.Day}日";

    /// <summary>Reads the values of <see cref="MailModel.Values"/> back as the strings, numbers and flags they were, not as JSON elements.</summary>
    private sealed class PlainValueConverter : JsonConverter<object>
    {
        public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Number => reader.GetDecimal(),
            JsonTokenType.Null => null,
            _ => JsonElement.ParseValue(ref reader),
        };

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }
}
