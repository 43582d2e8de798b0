using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Common;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Notices.Spreadsheets;
using Xunit;

namespace Rectify.Web.Tests.Findings;

/// <summary>
/// Item 7 of issue 15: the finding page, the mail the unit receives (through MailDev) and the ledger export name a
/// finding's status and an extension's decision with the same words, those of <see cref="Labels"/>.
/// </summary>
public sealed class LabelConsistencyTests(ConversationApp app) : IClassFixture<ConversationApp>
{
    [Fact]
    public async Task The_page_the_mail_and_the_export_show_the_same_label_for_the_same_value()
    {
        var id = await app.FindingOfAsync("教育局");
        var sender = app.Services.GetRequiredService<MailSender>();
        await sender.SendDueAsync();
        await app.Smtp.DeleteAllAsync();
        var deadline = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Deadline).SingleAsync());

        var request = await WebFixture.JsonAsync(await WebFixture.PostJson(await app.As("jyj"), $"/api/findings/{id}/extensions",
            new { newDeadline = deadline.AddDays(7), reason = "需协调平台改版" }), HttpStatusCode.OK);
        var auditor = await app.As("auditor");
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/{id}/extensions/{request.GetProperty("id").GetInt32()}/decision",
            new { approve = true, comment = "同意延期一周" }), HttpStatusCode.OK);
        await sender.SendDueAsync();

        var status = FindingStatus.Assigned.Label().Zh;
        var decision = ExtensionDecision.Approved.Label().Zh;
        Assert.Equal(("待整改", "已批准"), (status, decision));

        // The page (Chinese by default): the status badge and the extension's row.
        var page = WebUtility.HtmlDecode(await (await auditor.GetAsync($"/findings/{id}")).Content.ReadAsStringAsync());
        Assert.Contains($"<span class=\"badge st-Assigned\">{status}</span>", page);
        Assert.Contains($"<td>{decision}", page);

        // The unit's one mail about the change (the deadline rule's own mail gives way to it): the subject says the
        // decision, and the message as the sender rendered it says the decision and the finding's status.
        var sent = await app.WithDbAsync(db => db.Set<OutboxMessage>().SingleAsync(m => m.FindingId == id && m.Template == "extension-decided"));
        Assert.Equal($"【延期审批】教育局：延期申请{decision}（问题{id}）", sent.Subject);
        Assert.Contains($"审批结果为：{decision}。", sent.TextBody);
        Assert.Contains($"当前状态：{status}", sent.TextBody);
        var delivered = Assert.Single(await app.Smtp.GetMessagesAsync(), m => m.To.Single().Address == "jyj@example.gov.cn");
        Assert.Equal(sent.Subject, delivered.Subject);
        Assert.Contains($"审批结果为：{decision}。", delivered.Text);

        // The ledger export: the status column of the finding's row.
        var unitId = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.UnitId).SingleAsync());
        var export = await auditor.GetAsync($"/api/findings/export.xlsx?unitId={unitId}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var sheet = Xlsx.ReadFirstSheet(new MemoryStream(await export.Content.ReadAsByteArrayAsync()))
            .Select(r => r.Cells.OrderBy(c => c.Key).Select(c => c.Value.Text).ToList()).ToList();
        var statusColumn = sheet[0].IndexOf("状态");
        var row = Assert.Single(sheet.Skip(1), r => r[1] == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(status, row[statusColumn]);
    }
}
