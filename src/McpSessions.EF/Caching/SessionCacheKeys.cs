namespace McpSessions.EF.Caching;

/// <summary>
/// The cache's key names. An entry is <c>{prefix}{identity}:{sessionId}</c> (SPEC §6). Its generation tag is the entry
/// key plus <c>#gen</c>, and the tag every entry shares is <c>{prefix}#epoch</c>. A session id never contains <c>#</c>
/// or <c>:</c>, so no entry key ends in <c>#gen</c> and none equals the epoch key, whatever the identity holds.
/// </summary>
internal sealed class SessionCacheKeys(string prefix)
{
    public string Epoch { get; } = prefix + "#epoch";

    public string Entry(string identity, string sessionId) => string.Concat(prefix, identity, ":", sessionId);

    public static string Generation(string entryKey) => entryKey + "#gen";
}
