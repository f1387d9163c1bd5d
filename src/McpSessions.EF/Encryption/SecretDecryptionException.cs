namespace McpSessions.EF.Encryption;

/// <summary>
/// A stored secret could not be decrypted: a wrong or missing key, an unknown key id, a tampered or moved value.
/// Names the session (when the store knows it) and the column; never the value.
/// </summary>
public sealed class SecretDecryptionException : McpSessionsException
{
    internal SecretDecryptionException(string column, string reason, string? sessionId = null, Exception? innerException = null)
        : base(sessionId is null
            ? $"Cannot decrypt column {column}: {reason}"
            : $"Cannot decrypt column {column} of session {sessionId}: {reason}", innerException)
    {
        Column = column;
        Reason = reason;
        SessionId = sessionId;
    }

    /// <summary>The column, for example <c>tokens</c>.</summary>
    public string Column { get; }

    /// <summary>Why, without the value.</summary>
    public string Reason { get; }

    /// <summary>The session, when known.</summary>
    public string? SessionId { get; }

    internal SecretDecryptionException ForSession(string sessionId) => new(Column, Reason, sessionId, this);

    /// <summary>The decryption failure behind <paramref name="exception"/>, which EF may have wrapped while materializing.</summary>
    internal static SecretDecryptionException? Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SecretDecryptionException failure)
            {
                return failure;
            }
        }

        return null;
    }
}
