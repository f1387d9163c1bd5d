namespace McpSessions.EF.Encryption;

/// <summary>Encryption at rest of the secret columns (SPEC §5). Bound from <c>McpSessions:Encryption</c>.</summary>
public sealed class EncryptionOptions
{
    /// <summary>
    /// The primary key, which encrypts: 32 bytes as 64 hex characters or as base64. Also read from
    /// <c>STORAGE_ENCRYPTION_KEY</c> by <c>AddMcpSessions(IConfiguration)</c>.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Older keys, which still decrypt (rotation). Same formats as <see cref="Key"/>. Also read, comma-separated, from
    /// <c>STORAGE_ENCRYPTION_OLD_KEYS</c>.
    /// </summary>
    public IList<string> OldKeys { get; } = [];

    /// <summary>The format written. Default <see cref="EncryptionFormat.Versioned"/>.</summary>
    public EncryptionFormat Format { get; set; } = EncryptionFormat.Versioned;

    /// <summary>
    /// Allows running with no key: secrets are then stored in clear text, with one warning at startup.
    /// Without a key and without this, startup fails.
    /// </summary>
    public bool AllowPlaintext { get; set; }
}
