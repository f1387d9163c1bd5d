namespace McpSessions.EF.Encryption;

/// <summary>Builds the key ring from <see cref="EncryptionOptions"/>, failing at startup on a missing or malformed key.</summary>
internal static partial class SessionKeyRingFactory
{
    public const string KeySetting = "McpSessions:Encryption:Key (STORAGE_ENCRYPTION_KEY)";
    public const string OldKeysSetting = "McpSessions:Encryption:OldKeys (STORAGE_ENCRYPTION_OLD_KEYS)";

    /// <summary>Parses the keys; null means no key and plaintext explicitly allowed.</summary>
    /// <exception cref="EncryptionConfigurationException">A key is malformed, or there is none and plaintext is not allowed.</exception>
    public static SessionKeyRing Parse(EncryptionOptions options)
    {
        var oldKeys = options.OldKeys
            .Where(k => !string.IsNullOrWhiteSpace(k))
            .Select((k, i) => EncryptionKey.Parse(k, $"{OldKeysSetting}[{i}]"))
            .ToList();
        if (string.IsNullOrWhiteSpace(options.Key))
        {
            if (!options.AllowPlaintext)
            {
                throw new EncryptionConfigurationException(
                    $"No encryption key is configured. Set {KeySetting} to 64 hex characters or base64 of 32 bytes " +
                    "(`mcp-sessions keygen` prints one), or set McpSessions:Encryption:AllowPlaintext to true to store secrets in clear text.");
            }

            return oldKeys.Count == 0 ? SessionKeyRing.Plaintext : new SessionKeyRing(null, oldKeys, options.Format);
        }

        return new SessionKeyRing(EncryptionKey.Parse(options.Key, KeySetting), oldKeys, options.Format);
    }

    public static SessionKeyRing Create(McpSessionsOptions options, ILogger logger)
    {
        var ring = Parse(options.Encryption);
        if (ring.Primary is null)
        {
            LogPlaintext(logger);
        }

        return ring;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "No encryption key is configured and McpSessions:Encryption:AllowPlaintext is on: session secrets are stored in clear text")]
    private static partial void LogPlaintext(ILogger logger);
}
