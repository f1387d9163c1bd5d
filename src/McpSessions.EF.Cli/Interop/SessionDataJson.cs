using System.Text.Encodings.Web;
using System.Text.Json;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Json;
using McpSessions.EF.Model;

namespace McpSessions.EF.Cli.Interop;

/// <summary>
/// Sessions as @mcp-ts/sdk's <c>SessionData</c> (src/server/storage/types.ts): camelCase members, <c>createdAt</c> in
/// milliseconds since the Unix epoch, OAuth objects with their wire names. A JSON array of them is the format of its
/// file backend's <c>sessions.json</c>.
/// </summary>
/// <remarks>
/// Three optional members are this library's additions, written after the peer's own and ignored by it:
/// <c>userId</c> (only when it differs from <c>identity</c>), and <c>updatedAt</c> and <c>expiresAt</c> (milliseconds
/// since the epoch), so a move between databases keeps each session's state: a dormant or expired session stays so.
/// A file without them (one from @mcp-ts/sdk) is imported as written now. Absent and <c>null</c> members read alike.
/// <c>transportType</c> is required, as in the peer's <c>SessionData</c> type: the peer always writes it
/// (<c>streamable_http</c> when it has not negotiated one) and drops a stored session without it as invalid
/// (<c>MCPClient.getMcpServerConfig</c>), so an element without it is rejected rather than given this library's default.
/// </remarks>
internal static class SessionDataJson
{
    /// <summary>What a masked secret value shows.</summary>
    public const string Mask = SessionTable.Hidden;

    /// <summary>Two-space indentation, as <c>JSON.stringify(sessions, null, 2)</c>; non-ASCII left readable (the output is a file, not HTML).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="session"/>; with <paramref name="maskSecrets"/>, every secret value is <see cref="Mask"/> and only the members' names show.</summary>
    public static void Write(Utf8JsonWriter writer, McpSession session, bool maskSecrets)
    {
        writer.WriteStartObject();
        writer.WriteString("sessionId", session.SessionId);
        Optional("serverId", session.ServerId);
        Optional("serverName", session.ServerName);
        writer.WriteString("serverUrl", session.ServerUrl);
        writer.WriteString("transportType", SessionTable.Transport(session.TransportType));
        writer.WriteString("callbackUrl", session.CallbackUrl);
        writer.WriteNumber("createdAt", session.CreatedAt.ToUnixTimeMilliseconds());
        writer.WriteString("identity", session.Identity);
        Secret("headers", session.Headers, JsonColumn.TypeInfo<Dictionary<string, string>>());
        writer.WriteBoolean("active", session.Active);
        Secret("clientInformation", session.ClientInformation, JsonColumn.TypeInfo<OAuthClientInformation>());
        Secret("tokens", session.Tokens, JsonColumn.TypeInfo<OAuthTokens>());
        if (session.CodeVerifier is not null)
        {
            writer.WriteString("codeVerifier", maskSecrets ? Mask : session.CodeVerifier);
        }

        Optional("clientId", session.ClientId);
        if (session.UserId.Length > 0 && session.UserId != session.Identity)
        {
            writer.WriteString("userId", session.UserId);
        }

        writer.WriteNumber("updatedAt", session.UpdatedAt.ToUnixTimeMilliseconds());
        writer.WriteNumber("expiresAt", session.ExpiresAt.ToUnixTimeMilliseconds());
        writer.WriteEndObject();

        void Optional(string name, string? value)
        {
            if (value is not null)
            {
                writer.WriteString(name, value);
            }
        }

        void Secret<T>(string name, T? value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
            where T : class
        {
            if (value is null)
            {
                return;
            }

            writer.WritePropertyName(name);
            if (!maskSecrets)
            {
                JsonSerializer.Serialize(writer, value, typeInfo);
                return;
            }

            writer.WriteStartObject();
            foreach (var member in JsonSerializer.SerializeToElement(value, typeInfo).EnumerateObject())
            {
                writer.WriteString(member.Name, Mask);
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>
    /// Reads a JSON array of sessions. A malformed file is a <see cref="CliException"/> (exit code 3) naming the element
    /// and, where there is one, the member: the array is parsed one element at a time, so that a syntax error, a
    /// truncation, too deep a nesting or bytes that are not UTF-8 are reported with the index of the element they are in.
    /// A leading UTF-8 byte order mark is skipped.
    /// </summary>
    public static List<McpSession> ReadArray(ReadOnlyMemory<byte> utf8, string source)
    {
        if (utf8.Span.StartsWith(Utf8Bom))
        {
            utf8 = utf8[Utf8Bom.Length..];
        }

        // JsonDocument does not check that strings are UTF-8 (reading one fails later); check once, and search only when not.
        var validUtf8 = System.Text.Unicode.Utf8.IsValid(utf8.Span);
        var reader = new Utf8JsonReader(utf8.Span);
        try
        {
            if (!reader.Read())
            {
                throw new CliException(CliErrors.Data, $"{source} is empty; it must hold a JSON array of @mcp-ts/sdk SessionData objects. Nothing was imported.");
            }
        }
        catch (JsonException e)
        {
            throw new CliException(CliErrors.Data, $"{source} is not valid JSON: {e.Message} Nothing was imported.", e);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new CliException(CliErrors.Data, $"{source} must hold a JSON array of @mcp-ts/sdk SessionData objects; it holds {Kind(reader.TokenType)}. Nothing was imported.");
        }

        var sessions = new List<McpSession>();
        for (var index = 0; ; index++)
        {
            JsonDocument document;
            try
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                document = JsonDocument.ParseValue(ref reader);
            }
            catch (JsonException e)
            {
                throw Malformed(source, index, "element", $"is not valid JSON: {e.Message}", e);
            }

            using (document)
            {
                try
                {
                    if (!validUtf8)
                    {
                        CheckUtf8(document.RootElement);
                    }

                    sessions.Add(Read(document.RootElement));
                }
                catch (MalformedMember e)
                {
                    throw Malformed(source, index, e.Member, e.Message, e.InnerException);
                }
            }
        }

        try
        {
            if (reader.Read())
            {
                throw new JsonException($"'{reader.TokenType}' follows the array.");
            }
        }
        catch (JsonException e)
        {
            throw new CliException(CliErrors.Data, $"{source} is not valid JSON after the array's {sessions.Count} element(s): {e.Message} Nothing was imported.", e);
        }

        return sessions;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Names the member whose name or value is not UTF-8 (the whole element when it is not an object).</summary>
    private static void CheckUtf8(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            if (!System.Text.Unicode.Utf8.IsValid(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element)))
            {
                throw new MalformedMember("element", "is not valid UTF-8");
            }

            return;
        }

        foreach (var member in element.EnumerateObject())
        {
            string name;
            try
            {
                name = member.Name;
            }
            catch (InvalidOperationException)
            {
                throw new MalformedMember("element", "has a member name that is not valid UTF-8");
            }

            if (!System.Text.Unicode.Utf8.IsValid(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(member.Value)))
            {
                throw new MalformedMember(name, "is not valid UTF-8");
            }
        }
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => "null",
    };

    /// <summary>The line for an invalid element: <c>sessions.json: element 3: serverUrl must be …</c>.</summary>
    public static CliException Malformed(string source, int index, string member, string rule, Exception? cause = null) =>
        new(CliErrors.Data, $"{source}: element {index}: {member} {rule.TrimEnd('.')}. Nothing was imported.", cause);

    private static McpSession Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedMember("element", $"must be a SessionData object, not {Kind(element)}");
        }

        return new McpSession
        {
            SessionId = RequiredString(element, "sessionId"),
            Identity = RequiredString(element, "identity"),
            UserId = OptionalString(element, "userId") ?? "",
            ServerId = OptionalString(element, "serverId"),
            ServerName = OptionalString(element, "serverName"),
            ServerUrl = RequiredString(element, "serverUrl"),
            CallbackUrl = RequiredString(element, "callbackUrl"),
            TransportType = RequiredString(element, "transportType") switch
            {
                "sse" => McpTransportType.Sse,
                "streamable_http" => McpTransportType.StreamableHttp,
                _ => throw new MalformedMember("transportType", "must be \"sse\" or \"streamable_http\""),
            },
            CreatedAt = OptionalTime(element, "createdAt") ?? throw new MalformedMember("createdAt", "is required"),
            UpdatedAt = OptionalTime(element, "updatedAt") ?? default,
            ExpiresAt = OptionalTime(element, "expiresAt") ?? default,
            Active = Member(element, "active") is { } active
                ? active.ValueKind is JsonValueKind.True or JsonValueKind.False ? active.GetBoolean() : throw new MalformedMember("active", "must be true or false")
                : false,
            Headers = OptionalObject(element, "headers", JsonColumn.TypeInfo<Dictionary<string, string>>()),
            ClientInformation = OptionalObject(element, "clientInformation", JsonColumn.TypeInfo<OAuthClientInformation>()),
            Tokens = OptionalObject(element, "tokens", JsonColumn.TypeInfo<OAuthTokens>()),
            CodeVerifier = OptionalString(element, "codeVerifier"),
            ClientId = OptionalString(element, "clientId"),
        };
    }

    private static JsonElement? Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string RequiredString(JsonElement element, string name) =>
        OptionalString(element, name) ?? throw new MalformedMember(name, "is required");

    private static string? OptionalString(JsonElement element, string name) => Member(element, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => Text(value, name),
        { } value => throw new MalformedMember(name, $"must be a string, not {Kind(value)}"),
    };

    // A JSON escape of an unpaired surrogate ("\ud800") parses, but no string holds it: reading one throws.
    private static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new MalformedMember(name, "is not valid text (an unpaired surrogate)", e);
        }
    }

    // Milliseconds since the Unix epoch, as JavaScript's Date.now(); fractions are kept to the microsecond.
    private static DateTimeOffset? OptionalTime(JsonElement element, string name)
    {
        if (Member(element, name) is not { } value)
        {
            return null;
        }

        const double MinMs = -62_135_596_800_000, MaxMs = 253_402_300_799_999;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var ms) || !double.IsFinite(ms) || ms is < MinMs or > MaxMs)
        {
            throw new MalformedMember(name, "must be a number of milliseconds since the Unix epoch (as Date.now())");
        }

        return value.TryGetInt64(out var whole)
            ? DateTimeOffset.FromUnixTimeMilliseconds(whole)
            : DateTimeOffset.UnixEpoch.AddTicks((long)Math.Floor(ms * TimeSpan.TicksPerMillisecond));
    }

    private static T? OptionalObject<T>(JsonElement element, string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (Member(element, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedMember(name, $"must be an object, not {Kind(value)}");
        }

        try
        {
            return value.Deserialize(typeInfo);
        }
        catch (JsonException e)
        {
            // The serializer's message names the path and position, never the value.
            throw new MalformedMember(name, $"is not valid: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new MalformedMember(name, "is not valid text (an unpaired surrogate)", e);
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private sealed class MalformedMember(string member, string rule, Exception? innerException = null) : Exception(rule, innerException)
    {
        public string Member { get; } = member;
    }
}
