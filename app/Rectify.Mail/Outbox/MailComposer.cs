using Microsoft.Extensions.Options;
using MimeKit;
using Rectify.Mail.Templates;
using Rectify.Time;

namespace Rectify.Mail.Outbox;

/// <summary>
/// Renders outbox rows from the view models they were queued with, and turns a batch of rows into the one MIME
/// message sent for it: the row's own rendering when alone, the digest template listing every row otherwise.
/// The same batch always gives the same Message-Id.
/// </summary>
public sealed class MailComposer(TemplateRenderer renderer, OfficeClock clock, IOptions<MailOptions> options, IOptions<OfficeOptions> office)
{
    public const string DigestTemplate = "digest";

    /// <summary>Renders the row's template with its stored view model into its subject and bodies.</summary>
    /// <exception cref="TemplateRenderException">The template is missing, or failed or was stopped while rendering.</exception>
    public void Render(OutboxMessage message)
    {
        var rendered = renderer.Render(message.Template, MailOutbox.ReadModel(message.ModelJson!));
        message.Subject = rendered.Subject.Length > 500 ? rendered.Subject[..500] : rendered.Subject;
        message.HtmlBody = rendered.Html;
        message.TextBody = rendered.Text;
    }

    public async Task<MimeMessage> ComposeAsync(IReadOnlyList<OutboxMessage> batch)
    {
        var rows = batch.OrderBy(m => m.Id).ToList();
        // The sender renders rows when it first claims them; a pending row not claimed yet is shown as it will be sent.
        foreach (var row in rows.Where(r => r.BatchId is null && r.Status == OutboxStatus.Pending))
            Render(row);
        var lead = rows[0];
        var (subject, html, text) = rows.Count == 1 ? (lead.Subject, lead.HtmlBody, lead.TextBody) : await DigestAsync(rows);
        var from = MailboxAddress.Parse(options.Value.From);
        var message = new MimeMessage
        {
            MessageId = MessageId(lead, from),
            Date = rows[^1].CreatedAt,
            Subject = subject,
            Body = new BodyBuilder { HtmlBody = html, TextBody = text }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(lead.RecipientName, lead.RecipientAddress));
        message.Headers.Add("X-Rectify-Outbox", string.Join(",", rows.Select(r => r.Id)));
        return message;
    }

    /// <summary>Derived from the batch's first row (its id and the instant it was queued), so a retry carries the same id.</summary>
    private string MessageId(OutboxMessage lead, MailboxAddress from)
    {
        var domain = options.Value.MessageIdDomain is { Length: > 0 } configured ? configured
            : from.Address.Contains('@') ? from.Address[(from.Address.IndexOf('@') + 1)..] : "rectify.local";
        return $"rectify.outbox.{lead.BatchId ?? lead.Id}.{lead.CreatedAt.ToUnixTimeMilliseconds()}@{domain}";
    }

    private async Task<(string Subject, string Html, string Text)> DigestAsync(List<OutboxMessage> rows)
    {
        var lead = rows[0];
        var baseUrl = options.Value.BaseUrl.TrimEnd('/');
        var isLiaison = lead.RecipientKind is RecipientKind.Liaison or RecipientKind.Leader;
        var items = rows.Select(r => r.ModelJson is { } json && MailOutbox.ReadModel(json) is var model
                ? new DigestItemView(r.Template, r.Subject, model.Link, model.Finding)
                : new DigestItemView(r.Template, r.Subject, baseUrl, null))
            .ToList();
        var model = new DigestModel(
            baseUrl,
            office.Value.Name,
            MailOutbox.Date(DateOnly.FromDateTime(clock.ToLocal(rows[^1].CreatedAt).DateTime)),
            new RecipientView(lead.RecipientName, lead.RecipientAddress, lead.RecipientKind.ToString(), isLiaison),
            baseUrl + (isLiaison ? "/my" : "/findings"),
            items.Count,
            items);
        var rendered = renderer.Render(DigestTemplate, model);
        return (rendered.Subject, rendered.Html, rendered.Text);
    }
}
