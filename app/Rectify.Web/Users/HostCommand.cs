using Rectify.Auditing;
using Rectify.Data;
using Rectify.Users;

namespace Rectify.Web.Users;

/// <summary>
/// The host's command line: <c>admin create NAME</c> creates a supervisor (the first account of a production install,
/// which seeds no demo data) and exits; <c>backup FILE</c> writes an online backup (Operations/Backup) and exits;
/// <c>audit verify</c> checks the audit chain and exits (<see cref="Audit.AuditCommand"/>); <c>--demo</c> seeds the
/// demo office outside Development. A leading <c>--</c> (as in <c>dotnet Rectify.Web.dll -- admin create NAME</c>) is ignored.
/// </summary>
public sealed record HostCommand(string? AdminName, bool Demo, string[] HostArgs, bool AuditVerify = false, string? BackupFile = null)
{
    public const string PasswordVariable = "RECTIFY_ADMIN_PASSWORD";

    public static HostCommand Parse(string[] args)
    {
        var rest = args.SkipWhile(a => a == "--").ToList();
        var demo = rest.Remove("--demo");
        if (rest is ["admin", "create", var name, ..])
            return new HostCommand(name, demo, rest[3..].ToArray());
        if (rest is ["backup", var file, ..] && !file.StartsWith("--", StringComparison.Ordinal))
            return new HostCommand(null, demo, rest[2..].ToArray(), BackupFile: file);
        if (rest is ["backup", ..])
            throw new ArgumentException("Usage: backup FILE (a .zip of the database and the evidence folder)");
        if (rest is ["admin", ..])
            throw new ArgumentException("Usage: admin create NAME (password from " + PasswordVariable + " or standard input)");
        if (rest is ["audit", "verify", ..])
            return new HostCommand(null, demo, rest[2..].ToArray(), AuditVerify: true);
        if (rest is ["audit", ..])
            throw new ArgumentException("Usage: audit verify");
        return new HostCommand(null, demo, rest.ToArray());
    }

    /// <summary>Migrates the database and creates the supervisor NAME, with the password from the environment or stdin.</summary>
    public static async Task<int> CreateAdminAsync(WebApplication app, string name, TextReader input, TextWriter output)
    {
        await DatabaseInitializer.MigrateAsync(app.Services);
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            output.Write($"Password for supervisor {name}: ");
            password = input.ReadLine() ?? "";
        }
        await using var scope = app.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<UserAdminService>();
        // The command line stands for the office's administrator: it acts as a supervisor without being one yet.
        var setup = new Actor("setup", "初始设置", UserRole.Supervisor, null);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = setup;
        try
        {
            await service.CreateAsync(new UserInput(name, name, "", UserRole.Supervisor, null, password), setup);
        }
        catch (RectifyException e)
        {
            output.WriteLine($"Not created: {e.MessageEn} ({e.Code})");
            return 1;
        }
        output.WriteLine($"Supervisor {name} created; sign in at /login.");
        return 0;
    }
}
