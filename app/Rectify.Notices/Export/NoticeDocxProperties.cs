using DocumentFormat.OpenXml.CustomProperties;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.VariantTypes;
using Rectify.Auditing;

namespace Rectify.Notices;

/// <summary>
/// The custom document properties of an issued notice's .docx (Word: 文件 › 属性 › 自定义): the audit chain's head at
/// its issue time, so the file itself names the history it anchors.
/// </summary>
public static class NoticeDocxProperties
{
    public const string HeadSequence = "AuditChainHeadSequence";
    public const string HeadHash = "AuditChainHeadHash";

    // The format id every custom property of an Office document carries (FMTID_UserDefinedProperties).
    private const string UserDefined = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}";

    public static IReadOnlyDictionary<string, string> Of(AuditChainHead? head) => head is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { [HeadSequence] = head.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), [HeadHash] = head.Hash };

    internal static void Add(WordprocessingDocument document, IReadOnlyDictionary<string, string>? properties)
    {
        if (properties is not { Count: > 0 })
            return;
        var part = document.AddCustomFilePropertiesPart();
        part.Properties = new Properties();
        // Property ids start at 2 (0 and 1 are reserved).
        var id = 2;
        foreach (var (name, value) in properties)
            part.Properties.AppendChild(new CustomDocumentProperty { FormatId = UserDefined, PropertyId = id++, Name = name, VTLPWSTR = new VTLPWSTR(value) });
        part.Properties.Save();
    }
}
