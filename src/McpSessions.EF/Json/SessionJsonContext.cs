using System.Text.Json.Serialization;

namespace McpSessions.EF.Json;

/// <summary>
/// Source-generated JSON for the session's JSON columns. OAuth objects keep their snake_case wire names
/// (declared on the types), null members are omitted, and unknown members round-trip.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthTokens))]
[JsonSerializable(typeof(OAuthClientInformation))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(string))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
