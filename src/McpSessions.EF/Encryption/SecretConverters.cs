using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace McpSessions.EF.Encryption;

/// <summary>
/// The value converters of the four secret columns (SPEC §5): they encrypt with their key ring's primary key on the way
/// to the database and decrypt with any of its keys on the way back, so every EF query on the entity reads plaintext.
/// One sealed type per column, each with a parameterless constructor, so a compiled model can name it
/// (<c>new TokensConverter()</c>) where it cannot hold a key ring; that constructor takes the ring bound by
/// <see cref="Bind"/> while <see cref="Model.Compiled.CompiledSessionsModel"/> builds the compiled model. Anywhere else
/// it binds no ring, and a secret read or written through it fails with <see cref="EncryptionConfigurationException"/>,
/// as on a context that never called <c>AddMcpSessions</c>.
/// </summary>
internal static class SecretConverters
{
    private static readonly AsyncLocal<SessionKeyRing?> Bound = new();

    /// <summary>The ring the parameterless constructors bind while a compiled model is being built; null otherwise.</summary>
    private static SessionKeyRing? Binding => Bound.Value;

    /// <summary>Binds the parameterless constructors to <paramref name="ring"/> in this flow (and threads it starts) until disposed.</summary>
    public static IDisposable Bind(SessionKeyRing ring)
    {
        Bound.Value = ring;
        return new Unbind();
    }

    private sealed class Unbind : IDisposable
    {
        public void Dispose() => Bound.Value = null;
    }

    /// <summary>The converter of <paramref name="column"/> bound to <paramref name="ring"/>.</summary>
    public static ValueConverter For(SecretColumn column, SessionKeyRing? ring) => column switch
    {
        SecretColumn.Headers => new HeadersConverter(ring),
        SecretColumn.ClientInformation => new ClientInformationConverter(ring),
        SecretColumn.Tokens => new TokensConverter(ring),
        SecretColumn.CodeVerifier => new CodeVerifierConverter(ring),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    /// <summary>The converter type of <paramref name="column"/>, for a model built without a key ring (design time).</summary>
    public static Type TypeOf(SecretColumn column) => column switch
    {
        SecretColumn.Headers => typeof(HeadersConverter),
        SecretColumn.ClientInformation => typeof(ClientInformationConverter),
        SecretColumn.Tokens => typeof(TokensConverter),
        SecretColumn.CodeVerifier => typeof(CodeVerifierConverter),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    /// <summary>
    /// What a secret column's converter decrypts with, so the store's materializer can decrypt a stored value as this
    /// converter would and leave its parsing to the first read (<see cref="McpSession.SetPendingSecret"/>).
    /// </summary>
    internal interface ISecretConverter
    {
        /// <summary>The ring this converter encrypts and decrypts with; null when none was bound.</summary>
        SessionKeyRing? Ring { get; }

        SecretColumn Column { get; }
    }

    /// <summary>A JSON column's object as its JSON text, encrypted when the ring encrypts the column.</summary>
    internal abstract class Json<T>(SessionKeyRing? ring, SecretColumn column)
        : ValueConverter<T?, string>(v => SecretValues.WriteJson(ring, column, v!), s => SecretValues.ReadJson<T>(ring, column, s)), ISecretConverter
        where T : class
    {
        public SessionKeyRing? Ring { get; } = ring;

        public SecretColumn Column { get; } = column;
    }

    internal sealed class HeadersConverter(SessionKeyRing? ring) : Json<Dictionary<string, string>>(ring, SecretColumn.Headers)
    {
        public HeadersConverter()
            : this(Binding)
        {
        }
    }

    internal sealed class ClientInformationConverter(SessionKeyRing? ring) : Json<OAuthClientInformation>(ring, SecretColumn.ClientInformation)
    {
        public ClientInformationConverter()
            : this(Binding)
        {
        }
    }

    internal sealed class TokensConverter(SessionKeyRing? ring) : Json<OAuthTokens>(ring, SecretColumn.Tokens)
    {
        public TokensConverter()
            : this(Binding)
        {
        }
    }

    /// <summary><c>code_verifier</c>: the verifier itself, or its bare envelope.</summary>
    internal sealed class CodeVerifierConverter(SessionKeyRing? ring)
        : ValueConverter<string?, string>(v => SecretValues.WriteText(ring, SecretColumn.CodeVerifier, v!), s => SecretValues.ReadText(ring, SecretColumn.CodeVerifier, s)), ISecretConverter
    {
        public CodeVerifierConverter()
            : this(Binding)
        {
        }

        public SessionKeyRing? Ring { get; } = ring;

        public SecretColumn Column => SecretColumn.CodeVerifier;
    }
}
