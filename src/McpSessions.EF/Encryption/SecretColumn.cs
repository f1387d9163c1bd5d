namespace McpSessions.EF.Encryption;

/// <summary>
/// The four secrets. Each has a label, the name its column has in @mcp-ts/sdk's schema, bound into every <c>enc:2</c>
/// value and named in errors. It is part of the encryption format, not a column name: a host that maps the column under
/// another name still encrypts with this label, so its values stay readable by every reader.
/// </summary>
internal enum SecretColumn
{
    Headers,
    ClientInformation,
    Tokens,
    CodeVerifier,
}

internal static class SecretColumns
{
    public static readonly SecretColumn[] All = [SecretColumn.Headers, SecretColumn.ClientInformation, SecretColumn.Tokens, SecretColumn.CodeVerifier];

    public static string Label(this SecretColumn column) => column switch
    {
        SecretColumn.Headers => "headers",
        SecretColumn.ClientInformation => "client_information",
        SecretColumn.Tokens => "tokens",
        SecretColumn.CodeVerifier => "code_verifier",
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };
}
