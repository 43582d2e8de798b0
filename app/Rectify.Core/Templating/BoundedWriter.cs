using System.Text;

namespace Rectify.Templating;

/// <summary>Collects a rendering's output and stops it when it grows too large or takes too long.</summary>
internal sealed class BoundedWriter(IFormatProvider culture, int maxCharacters, CancellationToken timeout) : StringWriter(culture)
{
    public override void Write(char value)
    {
        Check(1);
        base.Write(value);
    }

    public override void Write(string? value)
    {
        Check(value?.Length ?? 0);
        base.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Check(count);
        base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    public override void Write(StringBuilder? value)
    {
        Check(value?.Length ?? 0);
        base.Write(value);
    }

    private void Check(int adding)
    {
        timeout.ThrowIfCancellationRequested();
        if (GetStringBuilder().Length + adding > maxCharacters)
            throw new RenderLimitException($"输出超过 {maxCharacters} 个字符");
    }
}
