using Rectify.Findings;
using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>A template reads registered view models (snake_case), their lists and dictionaries, and nothing else.</summary>
public sealed class ModelAccessTests
{
    [Fact]
    public void Registered_view_models_are_read_in_snake_case()
    {
        var text = Liquid.Render(
            "{{ base_url }}/my|{{ recipient.is_liaison }}|{{ finding.days_left }}|{{ finding.deadline_date }}|{{ unit.leader_name }}|{{ values.comment }}|{{ values.unit_name }}",
            Liquid.SampleMail());
        Assert.Equal("https://rectify.example.gov.cn/my|true|6|2026-03-10|李局长|请补充佐证材料|区教育局", text);
    }

    [Theory]
    [InlineData("DeadlineText", "deadline_text")]
    [InlineData("FollowUpNotRectifiedUnits", "follow_up_not_rectified_units")]
    [InlineData("ByCategoryText", "by_category_text")]
    [InlineData("IsLiaison", "is_liaison")]
    [InlineData("BaseUrl", "base_url")]
    [InlineData("Id", "id")]
    public void Member_names_match_the_templates(string member, string name) => Assert.Equal(name, ViewModelTypes.MemberName(member));

    [Fact]
    public void Lists_and_dictionaries_of_view_models_work_with_size_first_and_forloop()
    {
        var mail = Liquid.SampleMail();
        var model = new Dictionary<string, object?>
        {
            ["items"] = new List<Mail> { mail, mail with { Today = "次日" } },
            ["sections"] = new Dictionary<string, string> { ["follow_up"] = "三" },
        };
        var text = Liquid.Render(
            "{{ items.size }}:{% for m in items %}{{ forloop.index }}.{{ m.today }}{% if forloop.last == false %}，{% endif %}{% endfor %}|{{ items.first.finding.unit }}|{{ sections.follow_up }}{% if sections.basic %}x{% endif %}",
            model);
        Assert.Equal("2:1.2026年3月2日，2.次日|区教育局|三", text);
    }

    [Fact]
    public void Values_of_unregistered_types_render_empty()
    {
        var model = new Dictionary<string, object?>
        {
            ["anonymous"] = new { Secret = "s1" },
            ["other"] = new Unregistered("s2"),
            ["list"] = new[] { new Unregistered("s3") },
            ["query"] = new[] { Liquid.SampleMail() }.AsQueryable(),
        };
        Assert.Equal("[][][][0][][]", Liquid.Render("[{{ anonymous.secret }}][{{ other.secret }}][{{ other }}][{{ list.size | minus: 1 }}][{{ list.first.secret }}][{{ query.size }}]", model));
        Assert.Equal("[]", Liquid.Render("[{{ secret }}]", new Unregistered("s4")));
    }

    [Fact]
    public void Methods_and_non_public_members_cannot_be_reached()
    {
        var text = Liquid.Render(
            "[{{ finding.to_string }}][{{ finding.get_type }}][{{ finding.get_hash_code }}][{{ finding.equality_contract }}][{{ finding.ToString }}][{{ finding.Description }}][{{ finding }}]",
            Liquid.SampleMail());
        Assert.Equal("[][][][][][][]", text);
    }

    [Fact]
    public void Entities_cannot_be_registered_nor_read()
    {
        Assert.Throws<ArgumentException>(() => new ViewModelTypes(typeof(Finding)));
        var entity = new Finding { Description = "内部", CreatedById = "auditor-1" };
        var text = Liquid.Render(
            "[{{ f.description }}][{{ f.created_by_id }}][{{ f.reports.size }}][{{ f }}][{% for r in f.reports %}x{% endfor %}]",
            new Dictionary<string, object?> { ["f"] = entity });
        Assert.Equal("[][][][][]", text);
    }

    [Fact]
    public void A_registered_view_model_does_not_open_the_way_to_an_unregistered_member_type()
    {
        var types = new ViewModelTypes(typeof(Wrapper));
        var renderer = new LiquidRenderer(types, Liquid.Shanghai, TimeProvider.System);
        var text = renderer.Render(LiquidTemplate.Parse("[{{ name }}][{{ entity.description }}][{{ inner.secret }}]"),
            new Wrapper("包装", new Finding { Description = "内部" }, new Unregistered("s")), RenderMode.Text);
        Assert.Equal("[包装][][]", text);
    }

    private sealed record Unregistered(string Secret);

    private sealed record Wrapper(string Name, Finding Entity, Unregistered Inner);
}
