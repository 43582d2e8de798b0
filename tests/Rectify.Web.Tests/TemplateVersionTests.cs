using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;
using Rectify.Templating;
using Rectify.Users;
using Rectify.Web.Templates;

namespace Rectify.Web.Tests;

/// <summary>Saved template versions: refused when broken, in use when saved, given up for the shipped file when they fail on a message's data, restorable.</summary>
public sealed class TemplateVersionTests(WebFixture app) : IClassFixture<WebFixture>
{
    private static readonly Actor Supervisor = new("supervisor-id", "刘主管", UserRole.Supervisor, null);

    [Fact]
    public async Task A_version_in_use_gives_way_to_the_shipped_file_on_data_it_fails_on_and_the_default_can_be_restored()
    {
        var findingId = await app.FindingOfAsync("教育局");
        await using var scope = app.Services.CreateAsyncScope();
        var editor = scope.ServiceProvider.GetRequiredService<TemplateEditor>();
        var renderer = scope.ServiceProvider.GetRequiredService<TemplateRenderer>();
        var outbox = scope.ServiceProvider.GetRequiredService<MailOutbox>();
        var reminder = editor.Find("mail/reminder");
        var shipped = editor.Shipped(reminder);

        // Broken: refused with part, line and column, nothing saved.
        var broken = shipped with { Subject = "催办\n{{ finding.unit | }}" };
        var refused = await Assert.ThrowsAsync<RectifyException>(() => editor.SaveAsync(reminder, broken, findingId, Supervisor, default));
        Assert.Equal("template.invalid", refused.Code);
        Assert.Contains("主题 第 2 行第", refused.Message);
        Assert.Empty(await editor.VersionsAsync(reminder, default));

        // Saved: renders for this finding (days left ≠ 0), so it is in use at once.
        var edited = shipped with { Subject = "新催办：{{ finding.unit }}{% if finding.days_left == 0 %}{{ finding.unit | shout }}{% endif %}" };
        var version = await editor.SaveAsync(reminder, edited, findingId, Supervisor, default);
        Assert.Equal("刘主管", version.SavedByName);
        var model = (MailModel)await outbox.PreviewModelAsync("reminder", findingId);
        Assert.StartsWith("新催办：教育局", renderer.Render("reminder", model).Subject);

        // On a deadline day the saved subject calls a filter that does not exist: the shipped subject goes out instead.
        var deadlineDay = model with { Finding = model.Finding! with { DaysLeft = 0 } };
        Assert.StartsWith("【催办】", renderer.Render("reminder", deadlineDay).Subject);

        // Restoring the default saves it again as the newest version.
        var restored = await editor.RestoreAsync(reminder, 0, findingId, Supervisor, default);
        Assert.Equal(0, restored.RestoredFrom);
        Assert.Equal(shipped, await editor.CurrentAsync(reminder, default));
        Assert.StartsWith("【催办】", renderer.Render("reminder", model).Subject);
        Assert.Equal([restored.Id, version.Id], (await editor.VersionsAsync(reminder, default)).Select(v => v.Id));
    }
}
