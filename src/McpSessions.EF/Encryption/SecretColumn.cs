namespace McpSessions.EF.Encryption;

/// <summary>The four secret columns. The column name is bound into every <c>enc:2</c> value.</summary>
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

    public static string ColumnName(this SecretColumn column) => column switch
    {
        SecretColumn.Headers => "headers",
        SecretColumn.ClientInformation => "client_information",
        SecretColumn.Tokens => "tokens",
        SecretColumn.CodeVerifier => "code_verifier",
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };
}
