using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// A mutated @mcp-ts/sdk <c>sessions.json</c>: a valid array of 3–5 SessionData elements, then 1–3 edits that each
/// make it invalid (wrong types, missing or null required members, huge strings, broken rules, deep nesting,
/// duplicate ids, elements of the wrong kind), some harmless ones (extra members, null optional members, a leading
/// BOM), and at most one edit of the bytes (a truncation, invalid UTF-8, a BOM between elements). Each invalidating
/// edit says which element and member the import must name; the import must name one of them.
/// </summary>
public sealed record ImportMutation(int Elements, Edit[] Edits, ByteEdit? Bytes, bool LeadingBom)
{
    public const string BadUtf8Marker = "@@NOT-UTF8@@";

    /// <summary>Becomes the JSON escape of an unpaired surrogate (JsonNode would write U+FFFD for one in a string).</summary>
    public const string LoneSurrogateMarker = "@@LONE-SURROGATE@@";

    public static readonly int[] DeepDepths = [65, 1000, 100_000];

    public static string DeepMarker(int depth) => $"@@DEEP-{depth}@@";

    /// <summary>The file, and the (element, member) pairs of which the import must report one.</summary>
    public (byte[] Content, HashSet<(int Index, string Member)> Expected) Build()
    {
        var elements = Enumerable.Range(0, Elements).Select(i => (JsonNode?)Element(i)).ToArray();
        var expected = new HashSet<(int, string)>();
        // The harmless edits first, so that none undoes an invalidating one.
        foreach (var edit in Edits.OrderBy(e => e.Reported is null ? 0 : 1))
        {
            edit.Apply(elements);
            if (edit.Reported is { } reported)
            {
                expected.Add(reported);
            }
        }

        // Serialize element by element, to know where each one lies in the bytes.
        var text = new StringBuilder("[");
        var spans = new List<(int Start, int End)>();
        for (var i = 0; i < elements.Length; i++)
        {
            text.Append(i == 0 ? "\n  " : ",\n  ");
            var start = Encoding.UTF8.GetByteCount(text.ToString());
            text.Append(elements[i]?.ToJsonString() ?? "null");
            spans.Add((start, Encoding.UTF8.GetByteCount(text.ToString())));
        }

        text.Append("\n]\n");
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text.ToString()));
        if (Bytes is { } b)
        {
            var (start, end) = spans[b.Element];
            switch (b.Kind)
            {
                case ByteEditKind.Truncate:
                    bytes.RemoveRange(start + 1 + (int)((end - start - 2) * b.Fraction), bytes.Count - (start + 1 + (int)((end - start - 2) * b.Fraction)));
                    expected.RemoveWhere(e => e.Item1 > b.Element);
                    expected.Add((b.Element, "element"));
                    break;
                case ByteEditKind.BomBefore:
                    bytes.InsertRange(start, [0xEF, 0xBB, 0xBF]);
                    expected.Add((b.Element, "element"));
                    break;
            }
        }

        // Invalid UTF-8 goes where an edit put the marker: a lone continuation byte, a truncated sequence, 0xFF.
        var content = bytes.ToArray();
        var marker = Encoding.UTF8.GetBytes(BadUtf8Marker);
        for (var at = content.AsSpan().IndexOf(marker); at >= 0; at = content.AsSpan().IndexOf(marker))
        {
            content = [.. content[..at], (byte)'a', 0x80, 0xC3, (byte)'(', 0xFF, (byte)'z', .. content[(at + marker.Length)..]];
        }

        var lone = Encoding.UTF8.GetBytes(LoneSurrogateMarker);
        for (var at = content.AsSpan().IndexOf(lone); at >= 0; at = content.AsSpan().IndexOf(lone))
        {
            content = [.. content[..at], .. "\\ud800"u8, .. content[(at + lone.Length)..]];
        }

        // Deep nesting goes where an edit put its marker: the reader refuses more than 64 levels.
        foreach (var depth in DeepDepths)
        {
            var deep = Encoding.UTF8.GetBytes($"\"{DeepMarker(depth)}\"");
            for (var at = content.AsSpan().IndexOf(deep); at >= 0; at = content.AsSpan().IndexOf(deep))
            {
                content = [.. content[..at], .. Enumerable.Repeat((byte)'[', depth), .. Enumerable.Repeat((byte)']', depth), .. content[(at + deep.Length)..]];
            }
        }

        return (LeadingBom ? [0xEF, 0xBB, 0xBF, .. content] : content, expected);
    }

    public override string ToString() =>
        $"{Elements} elements{(LeadingBom ? ", leading BOM" : "")}: {string.Join("; ", Edits.Select(e => e.ToString()))}{(Bytes is null ? "" : $"; bytes: {Bytes}")}";

    /// <summary>A valid SessionData element, as @mcp-ts/sdk's file backend writes it (plus this library's optional members).</summary>
    public static JsonObject Element(int i) => new()
    {
        ["sessionId"] = $"imported-{i}",
        ["serverId"] = $"server-{i}",
        ["serverName"] = "Example MCP",
        ["serverUrl"] = "https://mcp.example.com/mcp",
        ["transportType"] = i % 2 == 0 ? "streamable_http" : "sse",
        ["callbackUrl"] = "https://app.example.com/oauth/callback",
        ["createdAt"] = 1_763_700_000_000 + i,
        ["identity"] = $"user-{i % 2}",
        ["headers"] = new JsonObject { ["X-Api-Key"] = "key" },
        ["active"] = i % 2 == 1,
        ["clientInformation"] = new JsonObject { ["client_id"] = "client-1", ["redirect_uris"] = new JsonArray("https://app.example.com/oauth/callback") },
        ["tokens"] = new JsonObject { ["access_token"] = "access", ["token_type"] = "Bearer", ["expires_in"] = 3600 },
        ["codeVerifier"] = "verifier",
        ["clientId"] = "client-1",
    };

    public static Arbitrary<ImportMutation> Arbitrary() => Arb.From(
        from elements in Gen.Choose(3, 5)
        from invalid in Gen.Choose(1, 3)
        from edits in Gen.ArrayOf(Edit.Invalidating(elements), invalid)
        from harmless in Gen.Choose(0, 2)
        from extra in Gen.ArrayOf(Edit.Harmless(elements), harmless)
        from bytes in Gen.Frequency((3, Gen.Constant<ByteEdit?>(null)), (1, ByteEdit.Generate(elements).Select(b => (ByteEdit?)b)))
        from bom in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new ImportMutation(elements, [.. edits, .. extra], bytes, bom),
        Shrink);

    private static IEnumerable<ImportMutation> Shrink(ImportMutation m)
    {
        if (m.Bytes is not null && m.Edits.Any(e => e.Reported is not null))
        {
            yield return m with { Bytes = null };
        }

        if (m.LeadingBom)
        {
            yield return m with { LeadingBom = false };
        }

        for (var i = 0; i < m.Edits.Length; i++)
        {
            var rest = m.Edits.Where((_, j) => j != i).ToArray();
            if (rest.Any(e => e.Reported is not null) || m.Bytes is not null)
            {
                yield return m with { Edits = rest };
            }
        }
    }
}

/// <summary>One edit of one element's JSON.</summary>
public sealed record Edit(string Description, int Element, string? Member, Func<JsonNode?, JsonNode?> Change, (int, string)? Reported)
{
    private static readonly string[] Required = ["sessionId", "identity", "serverUrl", "callbackUrl", "transportType", "createdAt"];
    private static readonly string[] Strings = ["sessionId", "identity", "serverId", "serverName", "serverUrl", "callbackUrl", "transportType", "codeVerifier", "clientId", "userId"];
    private static readonly string[] Objects = ["headers", "clientInformation", "tokens"];
    private static readonly string[] Optional = ["serverId", "serverName", "headers", "clientInformation", "tokens", "codeVerifier", "clientId", "userId", "updatedAt", "expiresAt"];

    public void Apply(JsonNode?[] elements) => elements[Element] = Change(elements[Element]);

    public override string ToString() => $"[{Element}] {Description}";

    private static Edit Set(int i, string member, string description, Func<JsonNode?> value, bool reported = true) =>
        new($"{member} {description}", i, member, e => { if (e is JsonObject o) { o[member] = value(); } return e; }, reported ? (i, member) : null);

    public static Gen<Edit> Invalidating(int elements)
    {
        var index = Gen.Choose(0, elements - 1);
        var huge = new string('a', 1_000_000);
        return Gen.OneOf(
            // Wrong JSON types.
            from i in index from m in Gen.Elements(Strings) from v in Gen.Elements<Func<JsonNode?>>(() => 42, () => true, () => new JsonArray(), () => new JsonObject())
            select Set(i, m, $"= {v()?.ToJsonString()}", v),
            from i in index from v in Gen.Elements<Func<JsonNode?>>(() => "yes", () => 1, () => new JsonArray())
            select Set(i, "active", $"= {v()?.ToJsonString()}", v),
            from i in index from m in Gen.Elements("createdAt", "updatedAt", "expiresAt") from v in Gen.Elements<Func<JsonNode?>>(() => "yesterday", () => true, () => new JsonObject(), () => 1e300, () => -1e300)
            select Set(i, m, $"= {v()?.ToJsonString()}", v),
            from i in index from m in Gen.Elements(Objects) from v in Gen.Elements<Func<JsonNode?>>(() => "text", () => 42, () => new JsonArray(1, 2))
            select Set(i, m, $"= {v()?.ToJsonString()}", v),
            from i in index select Set(i, "headers", "with a number value", () => new JsonObject { ["X-Api-Key"] = 1 }),
            from i in index select Set(i, "tokens", "with expires_in a string", () => new JsonObject { ["access_token"] = "a", ["expires_in"] = "soon" }),
            from i in index select Set(i, "clientInformation", "with redirect_uris a string", () => new JsonObject { ["redirect_uris"] = "https://x" }),
            // Required members missing or null.
            from i in index from m in Gen.Elements(Required) select new Edit($"{m} removed", i, m, e => { (e as JsonObject)?.Remove(m); return e; }, (i, m)),
            from i in index from m in Gen.Elements(Required) select Set(i, m, "= null", () => null),
            // Huge strings where a length rule holds (1,000,000 characters).
            from i in index from m in Gen.Elements("sessionId", "identity", "serverId", "serverName", "userId")
            select Set(i, m, "= 1,000,000 × 'a'", () => huge),
            // Broken rules.
            from i in index from rule in Gen.Elements(
                ("sessionId", (JsonNode?)"has spaces!"), ("sessionId", ""), ("identity", "a\u0001b"), ("identity", ""), ("serverUrl", "ftp://x.example.com"),
                ("serverUrl", "not a url"), ("callbackUrl", "/relative"), ("transportType", "websocket"), ("userId", "u\u0000"),
                ("serverName", ImportMutation.LoneSurrogateMarker), ("codeVerifier", "v\u0000"), ("clientId", "x" + ImportMutation.LoneSurrogateMarker))
            select Set(i, rule.Item1, $"= {rule.Item2?.ToJsonString()}", () => rule.Item2?.DeepClone()),
            from i in index select Set(i, "headers", "with a header name 'bad name'", () => new JsonObject { ["bad name"] = "v" }),
            // Deep nesting (the reader stops at 64 levels).
            from i in index from m in Gen.Elements("tokens", "headers", "extra") from depth in Gen.Elements(ImportMutation.DeepDepths)
            select new Edit($"{m} = {depth} nested arrays", i, m, e => { if (e is JsonObject o) { o[m] = ImportMutation.DeepMarker(depth); } return e; }, (i, "element")),
            // Elements of the wrong kind.
            from i in index from v in Gen.Elements<Func<JsonNode?>>(() => null, () => 42, () => "session", () => new JsonArray())
            select new Edit($"element = {v()?.ToJsonString() ?? "null"}", i, null, _ => v(), (i, "element")),
            // Duplicate ids: the later one is reported.
            from i in index from j in index where i != j
            select new Edit($"sessionId = that of [{Math.Min(i, j)}]", Math.Max(i, j), "sessionId", e => { if (e is JsonObject o) { o["sessionId"] = $"imported-{Math.Min(i, j)}"; } return e; }, (Math.Max(i, j), "sessionId")),
            // Invalid UTF-8 in a member (the marker becomes bad bytes).
            from i in index from m in Gen.Elements("sessionId", "identity", "serverName", "codeVerifier", "clientId", "extra")
            select Set(i, m, "= invalid UTF-8", () => "x" + ImportMutation.BadUtf8Marker),
            from i in index select new Edit("tokens.access_token = invalid UTF-8", i, "tokens", e => { if (e is JsonObject o) { o["tokens"] = new JsonObject { ["access_token"] = ImportMutation.BadUtf8Marker }; } return e; }, (i, "tokens")));
    }

    public static Gen<Edit> Harmless(int elements)
    {
        var index = Gen.Choose(0, elements - 1);
        return Gen.OneOf(
            from i in index from m in Gen.Elements("extra", "__proto__", "constructor", "sessionID", "")
            select Set(i, m, "= {\"nested\": [1, 2]} (extra)", () => new JsonObject { ["nested"] = new JsonArray(1, 2) }, reported: false),
            from i in index from m in Gen.Elements(Optional) select Set(i, m, "= null (optional)", () => null, reported: false),
            from i in index select Set(i, "serverName", "= emoji and RTL marks", () => "😀\u200F\u202Eﾟ", reported: false));
    }
}

public enum ByteEditKind
{
    /// <summary>The file ends inside the element.</summary>
    Truncate,

    /// <summary>A UTF-8 BOM before the element.</summary>
    BomBefore,
}

public sealed record ByteEdit(ByteEditKind Kind, int Element, double Fraction)
{
    public override string ToString() => Kind == ByteEditKind.Truncate ? $"truncated {Fraction:P0} into [{Element}]" : $"BOM before [{Element}]";

    public static Gen<ByteEdit> Generate(int elements) =>
        from kind in Gen.Elements(ByteEditKind.Truncate, ByteEditKind.BomBefore)
        from element in Gen.Choose(0, elements - 1)
        from fraction in Gen.Choose(0, 99).Select(p => p / 100.0)
        select new ByteEdit(kind, element, fraction);
}
