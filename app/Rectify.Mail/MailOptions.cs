namespace Rectify.Mail;

/// <summary>The "Mail" configuration section.</summary>
public sealed class MailOptions
{
    /// <summary>The SMTP server; with no <see cref="SmtpOptions.Host"/> messages are written as .eml files under data/outbox/.</summary>
    public SmtpOptions Smtp { get; set; } = new();
    public string From { get; set; } = "区政务公开办 <noreply@rectify.local>";
    /// <summary>Right-hand side of every Message-Id; the From address's domain when empty.</summary>
    public string? MessageIdDomain { get; set; }
    /// <summary>Where links in mails point: the address users open Rectify at.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080";
    /// <summary>The templates folder (holding mail/); when empty, the nearest templates/ above the app.</summary>
    public string? TemplatesDirectory { get; set; }
    /// <summary>How often the sender looks for due messages.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The wait after the first failed attempt; it doubles after each further one up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
    /// <summary>A message still not delivered this long after it was queued is marked failed.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(2);
    /// <summary>How long a sender holds the messages it claimed; a crashed node's messages are retried after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Most messages claimed per run.</summary>
    public int BatchSize { get; set; } = 200;
    /// <summary>Send messages due to one address at the same moment as one digest mail.</summary>
    public bool Digest { get; set; } = true;
    public TemplateLimits Limits { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? User { get; set; }
    public string? Password { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>Bounds on one rendering, so a runaway template is stopped with a clear error.</summary>
public sealed class TemplateLimits
{
    public int MaxSteps { get; set; } = 100_000;
    public int MaxRecursion { get; set; } = 20;
    public int MaxOutputCharacters { get; set; } = 500_000;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
