namespace Rectify.Templating;

/// <summary>What the output is: plain text (subjects, text mails, workflow values) or HTML, where every value is encoded.</summary>
public enum RenderMode
{
    Text,
    Html,
}
