using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// A string made to break things: control characters and NUL, SQL metacharacters, LIKE wildcards, unpaired
/// surrogates, bidirectional marks, combining marks, emoji, full-width letters, a BOM, or 10,000 characters. Built from
/// pieces so that FsCheck shrinks it to the piece that matters; printed with every non-printable character escaped.
/// </summary>
public sealed record HostileString(string[] Pieces, int Repeat)
{
    private static readonly string[] Alphabet =
    [
        "\0", "\u0001", "\t", "\n", "\r", "\u001B", "\u007F", "\u0085", "\u009F",
        "'", "\"", ";", "--", "/*", "' OR '1'='1", "\"; DROP TABLE mcp_sessions; --", "\\", "$1", "${x}", "{{x}}", ":",
        "%", "_", "%_%", "*", "?", "[a-z]",
        "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDC00\uD800",
        "\u200F", "\u202E", "\u2066", "\u200B", "\uFEFF", "e\u0301", "\u0301", "\u0000\u0301",
        "😀", "👨‍👩‍👧", "🏳️‍🌈", "ＡＢＣ", "１２３", "ｓ＿ｉｄ", "İ", "ß", "ǅ", "\uFFFD", "\uFFFF",
        " ", "a", "Z", "0", "-",
    ];

    /// <summary>The string itself: the pieces, each repeated <see cref="Repeat"/> times (10,000 characters at most).</summary>
    public string Value
    {
        get
        {
            var one = string.Concat(Pieces);
            if (Repeat <= 1 || one.Length == 0)
            {
                return one;
            }

            var text = new StringBuilder();
            while (text.Length + one.Length <= 10_000 && text.Length / one.Length < Repeat)
            {
                text.Append(one);
            }

            return text.ToString();
        }
    }

    public override string ToString()
    {
        var value = Value;
        var shown = new StringBuilder(value.Length + 16).Append('"');
        foreach (var c in value.Length > 80 ? value[..80] : value)
        {
            shown.Append(c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        shown.Append(value.Length > 80 ? $"…\" ({value.Length} chars)" : "\"");
        return shown.ToString();
    }

    /// <summary>1–6 pieces; one time in eight repeated up to 10,000 characters; rarely empty.</summary>
    public static Arbitrary<HostileString> Arbitrary() => Arb.From(
        from pieces in Gen.Frequency(
            (1, Gen.Constant(Array.Empty<string>())),
            (20, from n in Gen.Choose(1, 6) from p in Gen.ArrayOf(Gen.Elements(Alphabet), n) select p))
        from repeat in Gen.Frequency((7, Gen.Constant(1)), (1, Gen.Elements(2, 300, 10_000)))
        select new HostileString(pieces, repeat),
        Shrink);

    private static IEnumerable<HostileString> Shrink(HostileString s)
    {
        if (s.Repeat > 1)
        {
            yield return s with { Repeat = 1 };
        }

        for (var i = 0; i < s.Pieces.Length; i++)
        {
            yield return s with { Pieces = [.. s.Pieces[..i], .. s.Pieces[(i + 1)..]] };
        }
    }

    /// <summary>For messages: the UTF-16 code units of <paramref name="value"/>.</summary>
    public static string Units(string value) => string.Join(" ", value.Take(40).Select(c => ((int)c).ToString("X4", CultureInfo.InvariantCulture)));
}
