using System.Globalization;

namespace Rectify.Web.Localization;

/// <summary>
/// Page text in both languages side by side: Simplified Chinese by default, English when the request culture is en.
/// In Razor: <c>@using static Rectify.Web.Localization.Lang</c>, then <c>@T("整改报告", "Rectification report")</c>.
/// </summary>
public static class Lang
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public static string T(string zh, string en) => IsEnglish ? en : zh;
}
