using System.Text.Json.Serialization;
using McpSessions.EF.Model;

namespace McpSessions.EF.ModelContextProtocol.OAuth;

/// <summary>Source-generated JSON for the OAuth documents; null members are omitted, unknown ones kept where the type allows.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthTokens))]
[JsonSerializable(typeof(OAuthClientInformation))]
[JsonSerializable(typeof(ProtectedResourceDocument))]
[JsonSerializable(typeof(AuthorizationServerDocument))]
[JsonSerializable(typeof(ClientRegistrationRequest))]
[JsonSerializable(typeof(OAuthErrorDocument))]
[JsonSerializable(typeof(PendingAuthorizationDocument))]
[JsonSerializable(typeof(string))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
