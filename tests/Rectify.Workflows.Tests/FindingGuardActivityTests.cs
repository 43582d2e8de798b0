using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Workflows.Activities;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>An activity acts on the finding through its own methods, so the finding's rules hold there too.</summary>
public class FindingGuardActivityTests
{
    /// <summary>A step of a test that accepts the finding's latest report, or one that was never submitted.</summary>
    private sealed class AcceptReport : Activity
    {
        public override ActivityDescriptor Descriptor { get; } = new("Test.AcceptReport", "通过报告", "Accept report", "测试", "Test",
            "审核通过最近的整改报告。", "Accepts the latest report.");

        public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
        {
            var finding = context.Finding;
            finding.Accept(finding.Reports.LastOrDefault() ?? new RectificationReport { Measures = "未提交" }, "整改到位", Sample.Auditor, context.Services.Clock);
            return ValueTask.FromResult(ActivityResult.Done());
        }
    }

    [Fact]
    public async Task An_activity_accepting_a_report_that_was_never_submitted_faults_with_the_finding_s_error_code()
    {
        await using var database = await CreateAsync(more: services => services.AddSingleton<Activity>(new AcceptReport()));
        var json = new JsonObject
        {
            ["definitionId"] = "accept-unsubmitted",
            ["root"] = new JsonObject
            {
                ["type"] = "Elsa.Flowchart",
                ["id"] = "root",
                ["activities"] = new JsonArray(new JsonObject { ["id"] = "start", ["type"] = "Elsa.Start" }, new JsonObject { ["id"] = "accept", ["type"] = "Test.AcceptReport" }),
                ["connections"] = new JsonArray(new JsonObject { ["source"] = "start", ["sourcePort"] = "Done", ["target"] = "accept", ["targetPort"] = "In" }),
            },
        }.ToJsonString();

        var instance = await PublishAndStartAsync(database, json);

        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(WorkflowSubStatus.Faulted, stored.SubStatus);
        Assert.Contains("finding.illegal_transition", stored.Fault);
        Assert.Equal("accept", Assert.Single(state.Incidents).ActivityId);
        var finding = await database.WithDbAsync(db => db.Set<Finding>().AsNoTracking().SingleAsync(f => f.Id == instance.FindingId));
        Assert.Equal(FindingStatus.Draft, finding.Status);
        Assert.Null(finding.AcceptedAt);
    }
}
