using Microsoft.Extensions.DependencyInjection;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;
using Rectify.Testing;
using Rectify.Units;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>The templates folder: every template is complete, runaway templates are stopped, errors are located.</summary>
public sealed class TemplateTests : IDisposable
{
    private readonly string _templates = Path.Combine(Path.GetTempPath(), "rectify-templates", Guid.NewGuid().ToString("N"));

    public TemplateTests()
    {
        // A deployer's copy of the shipped templates, which the tests may break.
        Directory.CreateDirectory(Path.Combine(_templates, "mail"));
        foreach (var file in Directory.GetFiles(Repo.Path("templates", "mail")))
            File.Copy(file, Path.Combine(_templates, "mail", Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(_templates, recursive: true);

    private Task<MailHost> HostAsync() =>
        MailHost.StartAsync(null, new Dictionary<string, string?> { ["Mail:TemplatesDirectory"] = _templates });

    private void Write(string name, string subject, string html, string text)
    {
        File.WriteAllText(Path.Combine(_templates, "mail", $"{name}.subject.liquid"), subject);
        File.WriteAllText(Path.Combine(_templates, "mail", $"{name}.html.liquid"), html);
        File.WriteAllText(Path.Combine(_templates, "mail", $"{name}.txt.liquid"), text);
    }

    [Fact]
    public async Task The_shipped_templates_all_parse_and_have_subject_html_and_text()
    {
        await using var host = await HostAsync();
        var templates = host.Database.Services.GetRequiredService<MailTemplates>();
        Assert.Empty(templates.Problems);
        Assert.Subset(templates.Names.ToHashSet(),
            new HashSet<string> { "assigned", "digest", "extension-decided", "overdue", "reminder", "report-accepted", "report-returned", "report-submitted" });
    }

    [Fact]
    public async Task An_endless_loop_is_stopped_and_the_message_is_marked_failed_with_the_reason()
    {
        Write("loop", "循环", "{% for i in (1..1000000000) %}{% for j in (1..1000000000) %}{% endfor %}{% endfor %}", "x");
        await using var host = await HostAsync();
        var (_, findings) = await host.SeedAsync(1, "教育局");
        await host.EnqueueAsync(new MailRequest("loop", [new MailRecipient(RecipientKind.Liaison)], "loop:1", FindingId: findings[0].Id));

        // Rendered when the sender takes it: stopped there, marked failed, not sent, and not tried again.
        var started = DateTime.UtcNow;
        Assert.Equal(0, await host.Sender.SendDueAsync());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var message = Assert.Single(await host.MessagesAsync());
        Assert.Equal(OutboxStatus.Failed, message.Status);
        Assert.Contains("loop.html.liquid", message.LastError);
        Assert.Contains("已中止", message.LastError);
        Assert.Empty(await host.AttemptsAsync());
        Assert.Equal(0, await host.Sender.SendDueAsync());
    }

    [Fact]
    public async Task A_huge_output_is_stopped_at_the_output_limit()
    {
        // 10 characters doubled twenty times is ten million characters from a few dozen steps.
        Write("huge", "大", "{% assign s = \"0123456789\" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{{ s }}", "x");
        await using var host = await HostAsync();
        var renderer = host.Database.Services.GetRequiredService<TemplateRenderer>();

        var error = Assert.Throws<TemplateRenderException>(() => renderer.Render("huge", Model()));
        Assert.Contains("huge.html.liquid", error.Message);
        Assert.Contains("输出超过 500000 个字符", error.Message);
    }

    [Fact]
    public async Task A_syntax_error_names_file_line_and_column_and_the_last_good_version_stays_in_use()
    {
        Write("notice", "通知", "第一版 {{ recipient.name }}", "第一版");
        await using var host = await HostAsync();
        var templates = host.Database.Services.GetRequiredService<MailTemplates>();
        var renderer = host.Database.Services.GetRequiredService<TemplateRenderer>();
        Assert.Equal("第一版 王科员", renderer.Render("notice", Model()).Html);

        // A deployer saves a broken edit; the watcher reparses it.
        var reloaded = new TaskCompletionSource<IReadOnlyList<TemplateProblem>>(TaskCreationOptions.RunContinuationsAsynchronously);
        templates.Reloaded += problems => { if (problems.Count > 0) reloaded.TrySetResult(problems); };
        File.WriteAllText(Path.Combine(_templates, "mail", "notice.html.liquid"), "第二版\n第二行\n{% if recipient.name %}没有结束");
        var problem = Assert.Single(await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("notice.html.liquid", problem.File);
        Assert.Equal(3, problem.Line);
        Assert.True(problem.Column > 0);
        Assert.Equal(problem, Assert.Single(templates.Problems));
        Assert.Equal("第一版 王科员", renderer.Render("notice", Model()).Html);
        Assert.Contains("notice", templates.Names);
    }

    [Fact]
    public async Task A_template_cannot_reach_data_outside_its_view_model()
    {
        Write("probe", "探测",
            "[{{ unit.name }}][{{ finding.unit }}][{{ finding.unit.liaison.email }}][{{ finding.Unit.Leader.Phone }}]" +
            "[{{ values.entity.name }}][{{ values.entity.liaison.email }}][{{ recipient.GetType }}][{{ finding.description }}]",
            "{{ finding.description }}");
        await using var host = await HostAsync();
        var renderer = host.Database.Services.GetRequiredService<TemplateRenderer>();
        var entity = Sample.Unit("教育局", "secret@example.gov.cn");

        var rendered = renderer.Render("probe", Model(new Dictionary<string, object?> { ["entity"] = entity }));

        // The view model renders; entity members and anything not registered render empty; HTML is encoded.
        Assert.Equal("[教育局][教育局][][][][][][&lt;b&gt;栏目&quot;空白&quot;&lt;/b&gt;]", rendered.Html);
        Assert.Equal("<b>栏目\"空白\"</b>\n", rendered.Text);
        Assert.DoesNotContain("secret", rendered.Html);
    }

    private static MailModel Model(Dictionary<string, object?>? values = null)
    {
        var finding = new FindingView(7, "http://x/findings/7", "教育局", "主动公开", "检查", "栏目", "<b>栏目\"空白\"</b>", "更新", "一般",
            "2026年3月10日", "2026-03-10", 6, "剩余6个工作日（3月10日）", "待整改", false, null, null);
        return new MailModel("http://x", "区政务公开办", "2026年3月2日", new RecipientView("王科员", "w@x", "Liaison", true),
            finding.Link, finding, new UnitView(1, "教育局", "李局长", "王科员"), values ?? new Dictionary<string, object?>());
    }
}
