namespace McpSessions.EF.Storage;

/// <summary>
/// The members of a session that <see cref="SessionUpdate"/> can change, each named as its <see cref="McpSession"/>
/// property (the statements map a member to its column by that name). Adding one: a member here, its property on
/// <see cref="SessionUpdate"/>, and its rule in <c>SessionValidator</c>.
/// </summary>
[Flags]
public enum SessionFields
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary><see cref="McpSession.UserId"/>.</summary>
    UserId = 1 << 0,
    /// <summary><see cref="McpSession.ServerId"/>.</summary>
    ServerId = 1 << 1,
    /// <summary><see cref="McpSession.ServerName"/>.</summary>
    ServerName = 1 << 2,
    /// <summary><see cref="McpSession.ServerUrl"/>.</summary>
    ServerUrl = 1 << 3,
    /// <summary><see cref="McpSession.CallbackUrl"/>.</summary>
    CallbackUrl = 1 << 4,
    /// <summary><see cref="McpSession.TransportType"/>.</summary>
    TransportType = 1 << 5,
    /// <summary><see cref="McpSession.Active"/>.</summary>
    Active = 1 << 6,
    /// <summary><see cref="McpSession.Headers"/>.</summary>
    Headers = 1 << 7,
    /// <summary><see cref="McpSession.ClientInformation"/>.</summary>
    ClientInformation = 1 << 8,
    /// <summary><see cref="McpSession.Tokens"/>.</summary>
    Tokens = 1 << 9,
    /// <summary><see cref="McpSession.CodeVerifier"/>.</summary>
    CodeVerifier = 1 << 10,
    /// <summary><see cref="McpSession.ClientId"/>.</summary>
    ClientId = 1 << 11,
}
