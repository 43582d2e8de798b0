using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;
using Rectify.Web.Auth;

namespace Rectify.Web.Mail;

public sealed record MailTemplatesDto(IReadOnlyList<string> Names, IReadOnlyList<TemplateProblem> Problems, string Directory);

/// <summary>/api/mail: the outbox (staff see every message, a liaison those to its own unit), .eml downloads, the templates.</summary>
public static class MailApi
{
    public static IEndpointRouteBuilder MapMailApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/mail").WithTags("Mail").RequireAuthorization(Policies.SignedIn);

        group.MapGet("/", async (OutboxStatus? status, int? take, OutboxQueries queries, HttpContext http, CancellationToken ct) =>
            await queries.ListAsync(http.Actor(), status, take ?? 200, ct))
            .WithSummary("Outbox messages, newest first: time, recipient, subject, status (待发送/已发送/失败) and attempts");

        group.MapGet("/{id:long}/eml", async (long id, OutboxQueries queries, HttpContext http, CancellationToken ct) =>
        {
            var (fileName, content) = await queries.EmlAsync(id, http.Actor(), ct);
            return TypedResults.File(content, "message/rfc822", fileName);
        }).WithSummary("The message as an .eml file, as sent (or as it will be sent)");

        group.MapGet("/templates", (MailTemplates templates) =>
            new MailTemplatesDto(templates.Names, templates.Problems, templates.MailDirectory))
            .RequireAuthorization(Policies.Staff)
            .WithSummary("Mail template names (for the designer) and the files that do not parse, with line and column");

        return app;
    }
}
