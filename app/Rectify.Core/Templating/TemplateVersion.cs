using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rectify.Templating;

/// <summary>
/// A version of a mail or notice template saved by a supervisor on /templates. The newest version of a template is
/// the one in use; without any, the shipped file in templates/ is. Versions are never changed: restoring an older
/// one saves a new version with its text.
/// </summary>
public class TemplateVersion
{
    public int Id { get; set; }
    /// <summary>mail/NAME (e.g. mail/reminder) or notice/NAME (notice/notice, notice/notice-page).</summary>
    public required string Template { get; set; }
    /// <summary>The subject part (mail only).</summary>
    public string? Subject { get; set; }
    /// <summary>The HTML part (mail) or the whole template (notice).</summary>
    public string Html { get; set; } = "";
    /// <summary>The plain-text part (mail only).</summary>
    public string? Text { get; set; }
    public DateTimeOffset SavedAt { get; set; }
    public string SavedById { get; set; } = "";
    public string SavedByName { get; set; } = "";
    /// <summary>The version this one restored (0: the shipped default), when it was saved by restoring.</summary>
    public int? RestoredFrom { get; set; }
}

internal sealed class TemplateVersionConfiguration : IEntityTypeConfiguration<TemplateVersion>
{
    public void Configure(EntityTypeBuilder<TemplateVersion> b)
    {
        b.ToTable("TemplateVersions");
        b.Property(v => v.Template).HasMaxLength(100);
        b.Property(v => v.SavedById).HasMaxLength(450);
        b.Property(v => v.SavedByName).HasMaxLength(100);
        b.HasIndex(v => new { v.Template, v.Id });
    }
}
