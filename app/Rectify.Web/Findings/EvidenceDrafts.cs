using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Rectify.Reports;

namespace Rectify.Web.Findings;

/// <summary>
/// Evidence already stored for a report form that came back with an error, handed to the page as protected tokens
/// (bound to the finding and the user, and valid for half the orphan grace period, so a token never outlives its
/// file): the liaison sees the files listed as kept instead of choosing them again. The sweep deletes what is
/// never submitted.
/// </summary>
public sealed class EvidenceDrafts(IDataProtectionProvider protection, IOptions<EvidenceOptions> options)
{
    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("Rectify.EvidenceDraft").ToTimeLimitedDataProtector();

    private sealed record Payload(int FindingId, string UserId, StoredEvidence File);

    // The system's clock, as the sweep compares file times with it (and the protector checks expiry by it), not the office's.
    public string Protect(int findingId, string userId, StoredEvidence file) =>
        _protector.Protect(JsonSerializer.Serialize(new Payload(findingId, userId, file)), TimeProvider.System.GetUtcNow() + options.Value.OrphanGracePeriod / 2);

    /// <summary>The stored file a token names; null for a token forged, expired, or issued for another finding or user.</summary>
    public StoredEvidence? Unprotect(string token, int findingId, string userId)
    {
        try
        {
            var payload = JsonSerializer.Deserialize<Payload>(_protector.Unprotect(token));
            return payload is not null && payload.FindingId == findingId && payload.UserId == userId ? payload.File : null;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}
