using McpSessions.EF.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace McpSessions.EF.Model;

/// <summary>The provider-neutral mapping of <see cref="McpSession"/> (SPEC §2). Provider differences live in <see cref="SessionsProvider"/>.</summary>
internal sealed class McpSessionConfiguration(McpSessionsModelOptions options, SessionsProvider provider, SessionKeyRing? keyRing) : IEntityTypeConfiguration<McpSession>
{
    public const int MaxSessionIdLength = 128;
    public const int MaxIdentityLength = 256;
    public const int MaxServerFieldLength = 256;

    public void Configure(EntityTypeBuilder<McpSession> session)
    {
        session.ToTable(options.TableName, options.Schema);
        session.HasKey(s => s.Id).HasName($"{options.TableName}_pkey");

        session.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
        session.Property(s => s.SessionId).HasColumnName("session_id").IsRequired();
        session.Property(s => s.Identity).HasColumnName("identity").IsRequired();
        session.Property(s => s.UserId).HasColumnName("user_id").IsRequired();
        session.Property(s => s.ServerId).HasColumnName("server_id");
        session.Property(s => s.ServerName).HasColumnName("server_name");
        session.Property(s => s.ServerUrl).HasColumnName("server_url").IsRequired();
        session.Property(s => s.CallbackUrl).HasColumnName("callback_url").IsRequired();
        session.Property(s => s.TransportType).HasColumnName("transport_type").IsRequired()
            .HasConversion(new ValueConverter<McpTransportType, string>(
                t => t == McpTransportType.Sse ? "sse" : "streamable_http",
                s => s == "sse" ? McpTransportType.Sse : McpTransportType.StreamableHttp));
        session.Property(s => s.CreatedAt).HasColumnName("created_at");
        session.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        session.Property(s => s.ExpiresAt).HasColumnName("expires_at");
        session.Property(s => s.Active).HasColumnName("active").IsRequired().HasDefaultValue(false).ValueGeneratedNever();
        Secret(session.Property(s => s.CodeVerifier).HasColumnName("code_verifier"), SecretColumn.CodeVerifier, comparer: null);
        session.Property(s => s.ClientId).HasColumnName("client_id");

        // The secrets: encrypted by value converters (SecretConverters), so every EF query on the entity reads plaintext
        // objects and the database only ever sees ciphertext.
        JsonProperty(session, s => s.Headers, "headers", SecretColumn.Headers);
        JsonProperty(session, s => s.ClientInformation, "client_information", SecretColumn.ClientInformation);
        JsonProperty(session, s => s.Tokens, "tokens", SecretColumn.Tokens);

        session.HasIndex(s => s.SessionId).IsUnique().HasDatabaseName($"{options.TableName}_session_id_key");
        session.HasIndex(s => s.Identity).HasDatabaseName($"idx_{options.TableName}_identity");
        session.HasIndex(s => s.UserId).HasDatabaseName($"idx_{options.TableName}_user_id");
        session.HasIndex(s => s.ExpiresAt).HasDatabaseName($"idx_{options.TableName}_expires_at");

        provider.ConfigureSession(session);
    }

    private void JsonProperty<T>(EntityTypeBuilder<McpSession> session, System.Linq.Expressions.Expression<Func<McpSession, T?>> property, string columnName, SecretColumn column)
        where T : class =>
        Secret(session.Property(property).HasColumnName(columnName), column, JsonColumn.Comparer<T>()).HasColumnType(provider.JsonColumnType);

    /// <summary>
    /// The converter bound to the context's key ring; without one (design time, or a context that never called
    /// <c>AddMcpSessions</c>) the converter's type, which a compiled model can name (see <see cref="SecretConverters"/>).
    /// EF reads and writes a secret through its property, never a field: a session the store read holds its secrets
    /// pending until first read (McpSession.Secrets.cs), and only the property parses them.
    /// </summary>
    private PropertyBuilder<T> Secret<T>(PropertyBuilder<T> property, SecretColumn column, ValueComparer? comparer) =>
        (keyRing is null
            ? property.HasConversion(SecretConverters.TypeOf(column), comparer)
            : property.HasConversion(SecretConverters.For(column, keyRing), comparer))
        .UsePropertyAccessMode(PropertyAccessMode.Property);
}
