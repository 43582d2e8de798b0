namespace Rectify.Web.Security;

/// <summary>
/// Request body limits. Every request may send at most <see cref="DefaultBytes"/> (JSON, forms); sign-in less
/// (AuthApi.SignInMaxBytes); upload endpoints more, through RequestSizeLimit metadata: a report with its evidence
/// (EvidenceOptions.UploadBytes), an .xlsx import (ImportLimits), a workflow definition from the designer.
/// </summary>
public static class RequestLimits
{
    public const long DefaultBytes = 1024 * 1024;
    public const long DesignerBytes = 8 * 1024 * 1024;
}
