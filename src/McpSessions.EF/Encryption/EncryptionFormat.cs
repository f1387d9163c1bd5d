namespace McpSessions.EF.Encryption;

/// <summary>How secrets are written. Both formats, and plaintext legacy values, are always read.</summary>
public enum EncryptionFormat
{
    /// <summary>
    /// The default: <c>enc:2</c> on all four secret columns, with a key id and the column name bound as associated
    /// data (docs/ENCRYPTION.md).
    /// </summary>
    Versioned,

    /// <summary>
    /// @mcp-ts/sdk's <c>enc:1</c>, on <c>tokens</c> and <c>headers</c> only, so a Node service sharing the table can read
    /// them. <c>client_information</c> and <c>code_verifier</c> are then written in clear text, as the Node peer does.
    /// </summary>
    McpTsCompatible,
}
