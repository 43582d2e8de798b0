namespace Rectify.Auditing;

/// <summary>
/// A large text derived from other data (a notice's composed content): the audit log records its length and SHA-256
/// instead of the text, so that an entry stays small and quick to chain while still proving which text it was.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AuditedAsDigestAttribute : Attribute
{
    public static string? Of(string? text) =>
        text is null ? null : $"{text.Length} chars, sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))}";
}
