using Rectify;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Web;
using Rectify.Web.Users;
using Rectify.Workflows;

var command = HostCommand.Parse(args);
var builder = WebApplication.CreateBuilder(command.HostArgs);
if (command.Demo)
    builder.Configuration["Demo:Seed"] = "true";

builder.Services.AddRectifyCore(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddRectifyWorkflows(builder.Configuration);
builder.Services.AddRectifyMail(builder.Configuration);
builder.Services.AddRectifyNotices(builder.Configuration);
builder.AddRectifyWeb();

var app = builder.Build();
if (command.AdminName is { } admin)
    return await HostCommand.CreateAdminAsync(app, admin, Console.In, Console.Out);
if (command.AuditVerify)
    return await Rectify.Web.Audit.AuditCommand.VerifyAsync(app, Console.Out);
if (command.BackupFile is { } backup)
    return await Rectify.Web.Operations.Backup.RunAsync(app.Services, backup, Console.Out);
app.UseRectifyWeb();
await app.PrepareAsync();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
