namespace Rectify;

/// <summary>
/// A refused request: a stable <see cref="Code"/> for the API (problem details "code") and a message
/// for people, Simplified Chinese first. Nothing has been changed when this is thrown.
/// </summary>
public class RectifyException(string code, string message, string messageEn, RectifyErrorKind kind = RectifyErrorKind.Conflict)
    : Exception(message)
{
    public string Code { get; } = code;
    public string MessageEn { get; } = messageEn;
    public RectifyErrorKind Kind { get; } = kind;
    /// <summary>Itemised reasons, in Chinese, when one message is not enough (e.g. what changed since a preview).</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    public string MessageFor(System.Globalization.CultureInfo culture) =>
        culture.TwoLetterISOLanguageName == "en" ? MessageEn : Message;

    public static RectifyException NotFound(string what) =>
        new($"{what}.not_found", "未找到该记录，或您无权查看。", "Not found, or you are not allowed to see it.", RectifyErrorKind.NotFound);

    public static RectifyException Forbidden(string code, string message, string messageEn) =>
        new(code, message, messageEn, RectifyErrorKind.Forbidden);

    public static RectifyException Invalid(string code, string message, string messageEn) =>
        new(code, message, messageEn, RectifyErrorKind.Invalid);
}

public enum RectifyErrorKind
{
    /// <summary>400: the input itself is wrong.</summary>
    Invalid,
    /// <summary>403.</summary>
    Forbidden,
    /// <summary>404, also for what the caller may not see.</summary>
    NotFound,
    /// <summary>409: the request does not fit the current state (an illegal transition).</summary>
    Conflict,
    /// <summary>507: the server cannot store it now (a full disk); nothing was changed.</summary>
    Unavailable,
    /// <summary>503: the server is at its limit for this kind of work (e.g. PDF conversions); try again shortly.</summary>
    Busy,
}
