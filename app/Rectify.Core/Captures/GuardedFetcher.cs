using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Rectify.Captures;

/// <summary>What one guarded fetch got.</summary>
public sealed record FetchResult(
    LinkOutcome Outcome,
    string Detail,
    Uri? FinalUrl,
    int? StatusCode,
    IReadOnlyDictionary<string, string[]> Headers,
    string ContentType,
    byte[] Body)
{
    public bool HasPage => Outcome == LinkOutcome.Captured;
}

/// <summary>
/// Fetches a link for the server without letting a link reach what only the server can reach: http and https only,
/// no proxy, and every address checked at connect time (<see cref="SocketsHttpHandler.ConnectCallback"/>), so a name
/// that resolves to a private address — first or after any redirect, which are followed here one by one — is refused,
/// and the address checked is the address connected to. Size, time and redirects are bounded by
/// <see cref="CaptureOptions"/>.
/// </summary>
public sealed class GuardedFetcher : IDisposable
{
    private readonly CaptureOptions _options;
    private readonly HttpClient _client;

    public GuardedFetcher(IOptions<CaptureOptions> options)
    {
        _options = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (compatible; Rectify-EvidenceCapture/1.0)");
        _client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
    }

    /// <summary>Fetches <paramref name="url"/>, following redirects; never throws for what the link does, only on <paramref name="ct"/>.</summary>
    public async Task<FetchResult> FetchAsync(string url, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || !IsWebScheme(uri))
            return Result(LinkOutcome.Refused, "只允许抓取 http 或 https 网址", null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (redirects >= _options.MaxRedirects)
                        return Result(LinkOutcome.Failed, $"重定向超过 {_options.MaxRedirects} 次", uri, status, response);
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (!IsWebScheme(next))
                        return Result(LinkOutcome.Refused, $"重定向到了不允许的地址：{next.Scheme}", uri, status, response);
                    uri = next;
                    continue;
                }
                if (status is 404 or 410 or >= 500)
                    return Result(LinkOutcome.Gone, $"页面返回 HTTP {status}", uri, status, response);
                if (status is < 200 or >= 300)
                    return Result(LinkOutcome.Failed, $"页面返回 HTTP {status}", uri, status, response);
                if (response.Content.Headers.ContentLength > _options.MaxBytes)
                    return Result(LinkOutcome.Failed, TooLarge, uri, status, response);
                var body = await ReadBoundedAsync(response.Content, timeout.Token);
                return body is null
                    ? Result(LinkOutcome.Failed, TooLarge, uri, status, response)
                    : Result(LinkOutcome.Captured, "", uri, status, response, body);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Result(LinkOutcome.Failed, $"超过 {_options.Timeout.TotalSeconds:0} 秒未完成", uri);
        }
        catch (HttpRequestException e) when (Find<AddressRefusedException>(e) is { } refused)
        {
            return Result(LinkOutcome.Refused, refused.Message, uri);
        }
        catch (HttpRequestException e) when (Find<SocketException>(e) is { } socket)
        {
            return Result(LinkOutcome.Gone, socket.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
                ? $"域名无法解析：{uri.Host}"
                : $"无法连接到 {uri.Host}", uri);
        }
        catch (HttpRequestException e)
        {
            return Result(LinkOutcome.Failed, $"请求失败：{e.HttpRequestError}", uri);
        }
    }

    private string TooLarge => $"页面超过 {_options.MaxBytes / 1024 / 1024} MB 的大小限制";

    private static bool IsWebScheme(Uri uri) => uri.Scheme is "http" or "https";

    private async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        // Counted while reading: the declared length is the server's word, and a compressed body grows.
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > _options.MaxBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(a => PublicAddress.IsAllowed(a, _options.AllowLoopback)).ToList();
        if (allowed.Count == 0)
            throw new AddressRefusedException($"{host} 指向非公网地址（{string.Join("、", addresses.Select(a => a.ToString()))}），不予抓取");
        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
                return found;
        }
        return null;
    }

    private static FetchResult Result(LinkOutcome outcome, string detail, Uri? finalUrl, int? status = null,
        HttpResponseMessage? response = null, byte[]? body = null) =>
        new(outcome, detail, finalUrl, status,
            response is null
                ? new Dictionary<string, string[]>()
                : response.Headers.Concat(response.Content.Headers).GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.SelectMany(h => h.Value).ToArray(), StringComparer.OrdinalIgnoreCase),
            response?.Content.Headers.ContentType?.ToString() ?? "",
            body ?? []);

    public void Dispose() => _client.Dispose();

    private sealed class AddressRefusedException(string message) : Exception(message);
}
