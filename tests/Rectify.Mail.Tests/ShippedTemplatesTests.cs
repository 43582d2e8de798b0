using Rectify.Mail.Templates;
using Rectify.Testing;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>
/// The shipped mail templates travel with the binaries (as in a `dotnet publish` output, see tools/check-publish.sh),
/// and an app started from a folder outside the repository finds them there without any setting.
/// </summary>
public sealed class ShippedTemplatesTests
{
    [Fact]
    public void The_mail_templates_lie_beside_the_binaries_and_are_found_from_any_content_root()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "templates");
        foreach (var source in Directory.GetFiles(Repo.Path("templates", "mail"), "*.liquid"))
            Assert.Equal(File.ReadAllText(source), File.ReadAllText(Path.Combine(beside, "mail", Path.GetFileName(source))));

        var elsewhere = Directory.CreateTempSubdirectory("rectify-content-root-");
        try
        {
            Assert.Equal(beside, MailTemplates.ResolveDirectory(null, elsewhere.FullName));
        }
        finally
        {
            elsewhere.Delete();
        }
    }
}
