using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Rectify.Data;
using Rectify.Mail.Templates;
using Rectify.Templating;

namespace Rectify.Mail.Outbox;

/// <summary>
/// Delivers due outbox rows. A run claims rows with a lease (<see cref="LeaseClaim"/>: of several nodes only one
/// gets a row), groups those due to one address into one batch (one mail, one Message-Id for good), sends each
/// batch, and records the attempt: sent, or retried later with exponential backoff, or failed once the give-up
/// period has passed. Without an SMTP host, messages are written as .eml files under data/outbox/.
/// </summary>
public sealed class MailSender(
    IServiceScopeFactory scopes,
    MailComposer composer,
    SavedTemplates savedTemplates,
    DataDirectory dataDirectory,
    TimeProvider time,
    IOptions<MailOptions> options,
    ILogger<MailSender> logger) : IDisposable
{
    /// <summary>Due pending rows, with the rest of a batch tried before: it goes out whole again, under its Message-Id.</summary>
    private static readonly LeaseClaim DueMessages = new(
        $"\"Status\" = '{nameof(OutboxStatus.Pending)}' AND \"NextAttemptAt\" <= {{now}}", OrderBy: "\"Id\"",
        GroupBy: nameof(OutboxMessage.BatchId), Companions: $"\"Status\" = '{nameof(OutboxStatus.Pending)}'");

    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);

    public void Dispose() => _oneRunAtATime.Dispose();

    public string EmlDirectory => dataDirectory.Combine("outbox");

    /// <summary>Sends what is due now; returns how many mails were delivered.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken = default)
    {
        await _oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var batches = await ClaimAsync(db, cancellationToken);
            if (batches.Count == 0)
                return 0;
            // Templates saved on /templates, also on another node, are in use from the next run on.
            await savedTemplates.RefreshAsync(db, cancellationToken);
            await using var transport = CreateTransport();
            var delivered = 0;
            foreach (var batch in batches)
            {
                if (await DeliverAsync(db, transport, batch, cancellationToken))
                    delivered++;
            }
            return delivered;
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    /// <summary>Takes the lease of up to a batch of due messages and fixes their batches; <paramref name="db"/> tracks them.</summary>
    internal async Task<List<List<OutboxMessage>>> ClaimAsync(RectifyDb db, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var owner = Guid.NewGuid().ToString("N");
        var until = now + options.Value.LeaseDuration;
        // Only the claim holds the process's writer turn: rendering is slow, and the lease keeps the rows ours meanwhile.
        List<OutboxMessage> claimed;
        await using (var transaction = await db.BeginWriteTransactionAsync(ct))
        {
            claimed = (await DueMessages.ClaimAsync<OutboxMessage>(db, owner, now, until, options.Value.BatchSize, ct)).OrderBy(m => m.Id).ToList();
            await transaction.CommitAsync(ct);
        }
        if (claimed.Count == 0)
            return [];

        var batches = claimed.Where(m => m.BatchId != null).GroupBy(m => m.BatchId).Select(g => g.ToList()).ToList();
        // Rendered once, before the first attempt; a retry sends the very same text.
        var fresh = claimed.Where(m => m.BatchId == null && Rendered(m)).ToList();
        var newBatches = options.Value.Digest
            ? fresh.GroupBy(m => m.RecipientAddress.ToLowerInvariant()).Select(g => g.ToList()).ToList()
            : fresh.Select(m => new List<OutboxMessage> { m }).ToList();
        foreach (var batch in newBatches)
        {
            foreach (var m in batch)
                m.BatchId = batch[0].Id;
        }
        // The batch is stored before the first attempt, so a restart retries the very same mail (one that stops
        // before this save leaves its rows unbatched, rendered again once the lease expires).
        await db.SaveChangesAsync(ct);
        return [.. batches, .. newBatches];
    }

    /// <summary>Renders a row; a template that fails marks it failed (listed with the reason on the mail page) and it is not sent.</summary>
    private bool Rendered(OutboxMessage message)
    {
        try
        {
            composer.Render(message);
            return true;
        }
        catch (TemplateRenderException e)
        {
            logger.LogError("Mail {Template} to {Address} not rendered: {Error}", message.Template, message.RecipientAddress, e.Message);
            message.Status = OutboxStatus.Failed;
            message.LastError = e.Message;
            message.LeaseOwner = null;
            message.LeaseUntil = null;
            return false;
        }
    }

    private async Task<bool> DeliverAsync(RectifyDb db, IMailTransport transport, List<OutboxMessage> batch, CancellationToken ct)
    {
        var batchId = batch[0].BatchId!.Value;
        // A long run may outlive its lease; another node may hold these rows by now, so leave them to it.
        if (time.GetUtcNow() >= batch[0].LeaseUntil)
            return false;
        string? error = null;
        try
        {
            await transport.SendAsync(await composer.ComposeAsync(batch), batchId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e.Message;
            logger.LogWarning("Mail batch {Batch} to {Address} not delivered: {Error}", batchId, batch[0].RecipientAddress, e.Message);
        }

        var now = time.GetUtcNow();
        db.Add(new OutboxAttempt { BatchId = batchId, At = now, Succeeded = error is null, Error = error is { Length: > 2000 } ? error[..2000] : error });
        var giveUp = error is not null && now - batch.Min(m => m.CreatedAt) >= options.Value.GiveUpAfter;
        foreach (var m in batch)
        {
            m.Attempts++;
            m.LeaseOwner = null;
            m.LeaseUntil = null;
            if (error is null)
            {
                m.Status = OutboxStatus.Sent;
                m.SentAt = now;
                m.LastError = null;
            }
            else
            {
                m.LastError = error;
                m.Status = giveUp ? OutboxStatus.Failed : OutboxStatus.Pending;
                m.NextAttemptAt = now + Backoff(m.Attempts);
            }
        }
        // Recorded at once: a crash between the server's acceptance and this save is the one case that can repeat a mail.
        await db.SaveChangesAsync(CancellationToken.None);
        if (giveUp)
            logger.LogError("Mail batch {Batch} to {Address} failed for good after {Attempts} attempts: {Error}", batchId, batch[0].RecipientAddress, batch[0].Attempts, error);
        return error is null;
    }

    internal TimeSpan Backoff(int attempts)
    {
        var delay = options.Value.FirstRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        return delay < options.Value.MaxRetryDelay ? delay : options.Value.MaxRetryDelay;
    }

    private IMailTransport CreateTransport() =>
        string.IsNullOrWhiteSpace(options.Value.Smtp.Host)
            ? new EmlTransport(EmlDirectory)
            : new SmtpTransport(options.Value.Smtp);

    private interface IMailTransport : IAsyncDisposable
    {
        Task SendAsync(MimeMessage message, long batchId, CancellationToken ct);
    }

    /// <summary>The embedded default: each mail becomes data/outbox/&lt;batch&gt;.eml (rewriting it is harmless).</summary>
    private sealed class EmlTransport(string directory) : IMailTransport
    {
        public async Task SendAsync(MimeMessage message, long batchId, CancellationToken ct)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, EmlFileName(batchId));
            var temporary = path + ".tmp";
            await message.WriteToAsync(temporary, ct);
            File.Move(temporary, path, overwrite: true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public static string EmlFileName(long batchId) => $"{batchId:D8}.eml";

    /// <summary>One SMTP connection per run, opened on the first mail; a failed connect fails the run's other mails at once.</summary>
    private sealed class SmtpTransport(SmtpOptions smtp) : IMailTransport
    {
        private readonly SmtpClient _client = new() { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        private Exception? _connectError;

        public async Task SendAsync(MimeMessage message, long batchId, CancellationToken ct)
        {
            if (_connectError is not null)
                throw _connectError;
            if (!_client.IsConnected)
            {
                try
                {
                    var security = smtp.Security switch
                    {
                        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                        _ => SecureSocketOptions.None,
                    };
                    await _client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
                    if (!string.IsNullOrEmpty(smtp.User))
                        await _client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _connectError = e;
                    throw;
                }
            }
            await _client.SendAsync(message, ct);
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
            {
                try { await _client.DisconnectAsync(quit: true); }
                catch (Exception) { /* the mails are recorded already; a failed QUIT changes nothing */ }
            }
            _client.Dispose();
        }
    }
}

/// <summary>Runs the sender every <see cref="MailOptions.PollInterval"/> in the web app.</summary>
public sealed class MailSenderService(MailSender sender, TimeProvider time, IOptions<MailOptions> options, ILogger<MailSenderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sender.SendDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The mail sender run failed; it runs again in {Interval}.", options.Value.PollInterval);
            }
            try
            {
                await Task.Delay(options.Value.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
