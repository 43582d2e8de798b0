using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// Issue 12, item 1: a deadline change queues one mail to the liaison with the new date. The shipped workflow mails
/// the liaison on a return and on an extension decision itself, so those mails carry the change and the rule's own
/// deadline-changed mail gives way; delivered through a real SMTP server (MailDev).
/// </summary>
public class OneMailPerChangeTests
{
    [Fact]
    public async Task Default_flow_return_and_extension_each_give_the_liaison_one_mail_with_the_new_date()
    {
        await using var smtp = await MailDevServer.StartNewAsync();
        await using var database = await CreateAsync(new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
        });
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[0];
        var liaison = Sample.LiaisonOf(unit.Id);
        var sender = database.Services.GetRequiredService<MailSender>();
        // Issued Mon 2026-03-02 09:00 with the deadline Fri 03-13.
        var id = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 3, 13))]))[0];
        await sender.SendDueAsync();
        await smtp.DeleteAllAsync();
        Assert.Equal("assigned", Assert.Single(await LiaisonRowsAsync(database, id)).Template);

        // An extension to Fri 03-20, approved on Tue 03-03.
        await AdvanceAsync(database, Local(3, 3, 10));
        var request = await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().RequestExtensionAsync(id, new DateOnly(2026, 3, 20), "需上级审定材料", liaison));
        await AdvanceAsync(database, Local(3, 3, 11));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().DecideExtensionAsync(id, request.Id, true, "同意", Sample.Auditor));
        var extension = await DeliveredToLiaisonAsync(database, smtp, sender, unit.Liaison.Email);
        Assert.Equal($"【延期审批】{unit.Name}：延期申请已批准（问题{id}）", extension.Subject);
        Assert.Contains("整改期限已由2026年3月13日调整为2026年3月20日（剩余13个工作日（3月20日））", extension.Text);
        Assert.Contains("整改期限已由2026年3月13日调整为<strong>2026年3月20日</strong>（剩余13个工作日（3月20日））", extension.Html);

        // The report on Mon 03-16, returned on Wed 03-18: five working days from the return, Wed 03-25, beat 03-20.
        await AdvanceAsync(database, Local(3, 16, 10));
        var report = await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(id, Report(), liaison));
        await sender.SendDueAsync();
        await smtp.DeleteAllAsync();
        await AdvanceAsync(database, Local(3, 18, 10));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, false, "证据链接无法打开，请补充", Sample.Auditor));
        Assert.Equal(new DateOnly(2026, 3, 25), (await DefaultFlowTests.FindingAsync(database, id)).Deadline);
        var returned = await DeliveredToLiaisonAsync(database, smtp, sender, unit.Liaison.Email);
        Assert.Equal($"【退回】{unit.Name}：整改报告未通过审核，请重新整改（问题{id}）", returned.Subject);
        Assert.Contains("退回意见：证据链接无法打开，请补充", returned.Text);
        Assert.Contains("整改期限已由2026年3月20日调整为2026年3月25日（剩余5个工作日（3月25日））", returned.Text);
        Assert.Contains("整改期限已由2026年3月20日调整为<strong>2026年3月25日</strong>（剩余5个工作日（3月25日））", returned.Html);

        // Each change queued one row for the liaison (no deadline-changed beside it, so no digest of two either).
        Assert.Equal(["assigned", "extension-decided", "report-returned"], (await LiaisonRowsAsync(database, id)).Select(m => m.Template));
    }

    [Fact]
    public async Task Edit_alone_still_mails_deadline_changed_and_a_return_keeping_the_deadline_says_so()
    {
        await using var database = await CreateAsync(start: Local(12, 1, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[0];
        var id = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 12, 14))]))[0];

        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ChangeDeadlineAsync(id, new DateOnly(2026, 12, 16), "按督查要求调整", Sample.Auditor));
        var report = await As(database, Sample.LiaisonOf(unit.Id), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(id, Report(), Sample.LiaisonOf(unit.Id)));
        // Returned on 12-01: five working days give 12-08, earlier than 12-16, which stays.
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, false, "佐证不足", Sample.Auditor));

        var rows = await LiaisonRowsAsync(database, id);
        Assert.Equal(["assigned", "deadline-changed", "report-returned"], rows.Select(m => m.Template));
        var composer = database.Services.GetRequiredService<MailComposer>();
        composer.Render(rows[2]);
        Assert.Contains("请按照退回意见继续整改，并在2026年12月16日（剩余11个工作日（12月16日））前重新提交整改报告。", rows[2].TextBody);
        Assert.DoesNotContain("调整为", rows[2].TextBody);
    }

    private static Task<List<OutboxMessage>> LiaisonRowsAsync(TestDatabase database, int findingId) =>
        database.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.FindingId == findingId && m.RecipientKind == RecipientKind.Liaison).OrderBy(m => m.Id).ToListAsync());

    /// <summary>Sends what is due and returns the one mail MailDev received for the liaison since it was last emptied.</summary>
    private static async Task<MailDevMessage> DeliveredToLiaisonAsync(TestDatabase database, MailDevServer smtp, MailSender sender, string address)
    {
        await sender.SendDueAsync();
        var mails = (await smtp.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == address)).ToList();
        await smtp.DeleteAllAsync();
        Assert.Empty(await database.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.Status != OutboxStatus.Sent).ToListAsync()));
        return Assert.Single(mails);
    }
}
