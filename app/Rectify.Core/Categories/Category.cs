namespace Rectify.Categories;

/// <summary>A finding category from the catalogue (主动公开、政策解读 …), managed by supervisors.</summary>
public class Category : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string NameEn { get; set; } = "";
    public string Description { get; set; } = "";
    public int SortOrder { get; set; }
    public bool IsActive { get; set; } = true;
}
