using System.Runtime.CompilerServices;

namespace McpSessions.EF.Model;

/// <summary>
/// The four secret members and their pending form. A session read from the database (or another store of ciphertext)
/// holds each secret as its decrypted plaintext, the UTF-8 JSON text that was encrypted (for <see cref="CodeVerifier"/>
/// its JSON string), and parses it the first time the property is read: a listing that never reads a token response
/// never pays for parsing it. Decryption, which authenticates the value, is done before a secret becomes pending, so a
/// wrong key or a tampered value still fails where the session is read; only a plaintext that authenticates but is not
/// valid JSON for its member (in practice a clear-text legacy value) fails later, on first read, with the same
/// <see cref="SecretDecryptionException"/> naming the session and the column.
/// </summary>
/// <remarks>
/// Each slot holds null, the parsed value, or a <see cref="byte"/>[] of pending plaintext (no member's type is a byte
/// array, so the two never mix). The fields are named so that EF Core's backing-field convention does not take them
/// (and the model maps the four properties with <see cref="PropertyAccessMode.Property"/>): EF reads and writes these
/// members through the properties only, so a host context that saves a session the store returned writes the parsed
/// values, never a slot. Readers on several threads: each may parse, the first to publish its value wins and every
/// reader returns the published value; a set replaces whatever the slot held. The pending bytes are not cleared after
/// parsing (another reader may be parsing them); like the parsed value, they are left to the garbage collector.
/// </remarks>
public sealed partial class McpSession
{
    private object? _headersSecret;
    private object? _clientInformationSecret;
    private object? _tokensSecret;
    private object? _codeVerifierSecret;

    /// <summary>
    /// Makes <paramref name="column"/> pending: <paramref name="utf8Json"/> is its plaintext JSON text (the caller gives
    /// the array up), parsed when the member is first read. Replaces what the member held.
    /// </summary>
    internal void SetPendingSecret(SecretColumn column, byte[] utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        Volatile.Write(ref Slot(column), utf8Json);
    }

    /// <summary>
    /// Whether <paramref name="column"/> is still pending (never read, never set since it was made pending), and then
    /// its exact plaintext JSON text, which the caller must not change: it can be encrypted again as it is.
    /// </summary>
    internal bool TryGetPendingSecret(SecretColumn column, out ReadOnlyMemory<byte> utf8Json)
    {
        if (Volatile.Read(ref Slot(column)) is byte[] pending)
        {
            utf8Json = pending;
            return true;
        }

        utf8Json = default;
        return false;
    }

    private ref object? Slot(SecretColumn column)
    {
        switch (column)
        {
            case SecretColumn.Headers:
                return ref _headersSecret;
            case SecretColumn.ClientInformation:
                return ref _clientInformationSecret;
            case SecretColumn.Tokens:
                return ref _tokensSecret;
            case SecretColumn.CodeVerifier:
                return ref _codeVerifierSecret;
            default:
                throw new ArgumentOutOfRangeException(nameof(column));
        }
    }

    private T? Secret<T>(ref object? slot, SecretColumn column)
        where T : class
    {
        var state = Volatile.Read(ref slot);
        return state is byte[] pending ? Parse<T>(ref slot, column, pending) : Unsafe.As<T>(state);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T? Parse<T>(ref object? slot, SecretColumn column, byte[] pending)
        where T : class
    {
        T value;
        try
        {
            value = SecretValues.Parse<T>(column, pending);
        }
        catch (SecretDecryptionException e)
        {
            throw e.ForSession(SessionId);
        }

        // Publish unless another reader did first or a set replaced the slot meanwhile; then return what is there.
        var seen = Interlocked.CompareExchange(ref slot, value, pending);
        return ReferenceEquals(seen, pending) ? value : Secret<T>(ref slot, column);
    }
}
