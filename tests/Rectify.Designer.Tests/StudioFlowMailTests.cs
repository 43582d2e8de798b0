using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Rectify.Time;
using Rectify.Web.Tests;
using static Rectify.Designer.Tests.Studio;

namespace Rectify.Designer.Tests;

/// <summary>The app with its mail going to a real SMTP server (MailDev on loopback), one mail per message.</summary>
public sealed class MailDevWebFactory : RectifyWebFactory, IAsyncLifetime
{
    public MailDevServer Smtp { get; private set; } = null!;

    public async Task InitializeAsync() => Smtp = await MailDevServer.StartNewAsync();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = Smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
        ["Mail:Digest"] = "false",
    };

    async Task IAsyncLifetime.DisposeAsync() => await Smtp.DisposeAsync();
}

/// <summary>
/// A flow edited in the shapes the Studio saves (fork branches as a JSON list from the chips editor, a mail step's
/// template from its dropdown and recipients from its check list, a join's mode from its dropdown) and published: a
/// finding issued after it follows it, counted at a real SMTP server, with the fake clock moved to the reminder.
/// </summary>
public sealed class StudioFlowMailTests(MailDevWebFactory app) : IClassFixture<MailDevWebFactory>
{
    [Fact]
    public async Task A_finding_issued_after_the_publish_follows_the_new_branch_to_the_SMTP_server()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var model = (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published")).DeepClone();
        var activities = model["root"]!["activities"]!.AsArray();
        var connections = model["root"]!["connections"]!.AsArray();
        activities.Single(a => (string?)a!["id"] == "fork")!["branches"] = Wrapped("System.Collections.Generic.ICollection<System.String>", "Object", """["Reminder3","Reminder1","Report","Leaders"]""");
        activities.Add(new JsonObject
        {
            ["id"] = "mailLeaders", ["type"] = "Rectify.SendEmail", ["version"] = 1,
            ["template"] = Wrapped(null, "Literal", "assigned"),
            ["recipients"] = Wrapped(null, "Object", """["Leader","Supervisors"]"""),
        });
        activities.Add(new JsonObject { ["id"] = "joinLeaders", ["type"] = "Elsa.FlowJoin", ["version"] = 1, ["mode"] = Wrapped(null, "Literal", "WaitAll") });
        connections.Add(Connection("fork", "Leaders", "mailLeaders"));
        connections.Add(Connection("mailLeaders", "Done", "joinLeaders"));
        var version = (int)(await elsa.SaveAsync(model, publish: true))["workflowDefinition"]!["version"]!;

        // What the demo findings queued goes out first; the server then starts empty.
        var sender = app.Services.GetRequiredService<MailSender>();
        await sender.SendDueAsync();
        await app.Smtp.DeleteAllAsync();

        var auditor = await app.ClientAsync("auditor");
        var office = app.Services.GetRequiredService<OfficeClock>();
        var deadline = office.Today.AddDays(21);
        var findingId = await IssueFindingAsync(app, auditor, deadline, "按新分支通知负责人的问题");
        Assert.Equal(version, (await InstanceOfAsync(app, findingId)).DefinitionVersion);

        // At issue: the liaison's assigned mail, and from the new branch the leader's and every supervisor's.
        await sender.SendDueAsync();
        var received = await app.Smtp.GetMessagesAsync();
        var to = received.SelectMany(m => m.To.Select(t => t.Address)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["jyj.leader@example.gov.cn", "jyj@example.gov.cn", "supervisor@example.gov.cn"], to);

        // The rest of the flow runs on: three working days before the deadline, 09:00, the liaison is reminded (the
        // demo findings' mails of those days aside).
        await app.Smtp.DeleteAllAsync();
        var calendar = app.Services.GetRequiredService<WorkingDayCalendar>();
        await AdvanceAsync(app, office.StartOf(calendar.Add(deadline, new WorkingDays(-3))) + TimeSpan.FromHours(9));
        await sender.SendDueAsync();
        var reminders = (await app.Smtp.GetMessagesAsync()).Where(m => m.Text?.Contains("按新分支通知负责人的问题") == true).ToList();
        Assert.Equal(["jyj@example.gov.cn"], reminders.SelectMany(m => m.To.Select(t => t.Address)));
    }
}
