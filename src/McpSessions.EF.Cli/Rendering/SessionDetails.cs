using System.Text.Json;
using McpSessions.EF.Cli.Interop;
using McpSessions.EF.Json;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Spectre.Console;

namespace McpSessions.EF.Cli.Rendering;

/// <summary><c>show</c>: one session, field by field. A secret shows the names of its members and <see cref="SessionTable.Hidden"/>, unless revealed.</summary>
internal static class SessionDetails
{
    public static Table Create(McpSession session, SessionSummary summary, DateTimeOffset now, bool reveal)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title($"[bold]Session {Markup.Escape(session.SessionId)}[/]")
            .Caption($"[dim]{Markup.Escape($"times in UTC, now {SessionTable.DateTime(now)}")}{(reveal ? "" : " · secrets hidden: --reveal shows them")}[/]")
            .AddColumn("Field")
            .AddColumn("Value");

        Row("Identity", Markup.Escape(session.Identity));
        Row("User id", Markup.Escape(session.UserId));
        Row("Server", Markup.Escape($"{session.ServerName ?? "-"} (id {session.ServerId ?? "-"})"));
        Row("Server URL", Markup.Escape(session.ServerUrl));
        Row("Callback URL", Markup.Escape(session.CallbackUrl));
        Row("Transport", SessionTable.Transport(session.TransportType));
        Row("State", SessionTable.State(summary.State));
        Row("Created", SessionTable.DateTime(session.CreatedAt));
        Row("Updated", SessionTable.DateTime(session.UpdatedAt));
        Row(session.Active ? "Dormant after" : "Expires", SessionTable.Expiry(summary.LiveUntil, now, SessionTable.DateTime));
        Row("Client id", Markup.Escape(session.ClientId ?? "-"));
        Secret("Headers", session.Headers, JsonColumn.TypeInfo<Dictionary<string, string>>());
        Secret("Client information", session.ClientInformation, JsonColumn.TypeInfo<OAuthClientInformation>());
        Secret("Tokens", session.Tokens, JsonColumn.TypeInfo<OAuthTokens>());
        Row("Code verifier", session.CodeVerifier is null ? "[dim]none[/]" : reveal ? Markup.Escape(session.CodeVerifier) : SessionDataJson.Mask);
        return table;

        void Row(string field, string markup) => table.AddRow(Markup.Escape(field), markup);

        void Secret<T>(string field, T? value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
            where T : class
        {
            if (value is null)
            {
                Row(field, "[dim]none[/]");
                return;
            }

            var json = JsonSerializer.SerializeToElement(value, typeInfo);
            Row(field, reveal
                ? Markup.Escape(Indented(json))
                : string.Join('\n', json.EnumerateObject().Select(m => $"{Markup.Escape(m.Name)} {SessionDataJson.Mask}")));
        }
    }

    private static string Indented(JsonElement json)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, SessionDataJson.WriterOptions))
        {
            json.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
