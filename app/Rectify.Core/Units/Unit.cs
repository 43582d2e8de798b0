namespace Rectify.Units;

/// <summary>A responsible unit (责任单位): a department, a district/county or a township/street office.</summary>
public class Unit : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Other names the unit is written as in notices and spreadsheets (e.g. 区教育局, 教育局), separated by 、 or commas.</summary>
    public string Aliases { get; set; } = "";
    public UnitKind Kind { get; set; }
    public int? ParentId { get; set; }
    public Unit? Parent { get; set; }
    /// <summary>责任人: the unit's leader, told on escalation.</summary>
    public Contact Leader { get; set; } = new();
    /// <summary>联络人: the liaison who receives assignments and reminders.</summary>
    public Contact Liaison { get; set; } = new();
    public int SortOrder { get; set; }
    public bool IsActive { get; set; } = true;

    public IEnumerable<string> AllNames() =>
        new[] { Name }.Concat(Aliases.Split(['、', ',', '，', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

public enum UnitKind
{
    Department,
    District,
    Township,
    Other,
}

/// <summary>One line of the 责任人联系表.</summary>
public class Contact
{
    public string Name { get; set; } = "";
    public string Title { get; set; } = "";
    public string Phone { get; set; } = "";
    public string Email { get; set; } = "";
}
