using System.Text.Json.Serialization;

namespace McpSessions.EF.Caching;

/// <summary>Source-generated JSON for <see cref="SessionCacheEntry"/>.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionCacheEntry))]
internal sealed partial class SessionCacheJsonContext : JsonSerializerContext;
