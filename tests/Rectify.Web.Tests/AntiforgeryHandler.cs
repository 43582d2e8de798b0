using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Web.Tests;

/// <summary>
/// Sends the antiforgery header on every unsafe request (POST, PUT, PATCH, DELETE) that has none, as the pages do:
/// the token comes from GET /api/auth/antiforgery through the same cookies, and is fetched again after a sign-in or
/// sign-out (it is bound to the signed-in user). Put it outside the cookie handler.
/// </summary>
public sealed class AntiforgeryHandler : DelegatingHandler
{
    public const string Header = "X-XSRF-TOKEN";
    private string? _token;

    public AntiforgeryHandler() { }

    public AntiforgeryHandler(HttpMessageHandler inner) : base(inner) { }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsUnsafe(request.Method) && !request.Headers.Contains(Header))
        {
            _token ??= await FetchAsync(request.RequestUri!, cancellationToken);
            request.Headers.Add(Header, _token);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath is "/api/auth/login" or "/api/auth/logout" or "/login" or "/logout")
            _token = null;
        return response;
    }

    private async Task<string> FetchAsync(Uri target, CancellationToken ct)
    {
        using var response = await base.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(target, "/api/auth/antiforgery")), ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return body.GetProperty("token").GetString()!;
    }

    private static bool IsUnsafe(HttpMethod method) =>
        method != HttpMethod.Get && method != HttpMethod.Head && method != HttpMethod.Options && method != HttpMethod.Trace;
}
