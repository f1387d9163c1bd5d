using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Infrastructure;
using McpSessions.EF.Model;
using McpSessions.EF.Model.Compiled;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace McpSessions.EF.Tests.Hosting;

/// <summary>
/// The compiled models (scripts/compiled-models.sh) hold what the model built at run time holds and convert every
/// value as it does: CI checks that they are what `dotnet ef dbcontext optimize` generates now, this checks that what it
/// generates is right (EF 10 once wrote <c>(a - b) / c</c> as <c>a - b / c</c>).
/// </summary>
public sealed class CompiledModelTests
{
    public static TheoryData<SessionStorageProvider> Providers => [SessionStorageProvider.Sqlite, SessionStorageProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_compiled_model_maps_every_column_index_and_key_as_the_model_built_at_run_time(SessionStorageProvider provider)
    {
        using var context = DesignTimeSessionsContext.Create(provider);
        using var compiled = Compiled(provider);

        Assert.Equal(Describe(context.Model), Describe(compiled.Model));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_compiled_model_converts_and_compares_values_as_the_model_built_at_run_time(SessionStorageProvider provider)
    {
        using var context = DesignTimeSessionsContext.Create(provider);
        using var compiledContext = Compiled(provider);
        var built = context.Model.FindEntityType(typeof(McpSession))!;
        var compiled = compiledContext.Model.FindEntityType(typeof(McpSession))!;
        var converted = 0;

        foreach (var property in built.GetProperties())
        {
            var other = compiled.FindProperty(property.Name)!;
            var converter = property.GetTypeMapping().Converter;
            Assert.Equal(converter?.GetType(), other.GetTypeMapping().Converter?.GetType());
            if (converter is not null && !IsSecret(converter))
            {
                foreach (var value in Samples(property.ClrType))
                {
                    var stored = converter.ConvertToProvider(value);
                    Assert.Equal(stored, other.GetTypeMapping().Converter!.ConvertToProvider(value));
                    Assert.Equal(value, other.GetTypeMapping().Converter!.ConvertFromProvider(stored));
                    converted++;
                }
            }

            foreach (var (a, b) in Pairs(property.ClrType))
            {
                Assert.Equal(property.GetValueComparer().Equals(a, b), other.GetValueComparer().Equals(a, b));
                Assert.Equal(property.GetValueComparer().GetHashCode(a!), other.GetValueComparer().GetHashCode(a!));
            }
        }

        Assert.True(converted > 0);
    }

    [Fact]
    public void A_secret_converter_made_for_a_compiled_model_holds_the_key_ring_bound_while_it_was_made_even_on_another_thread()
    {
        var ring = Ring();
        SecretConverters.TokensConverter? onThread = null;

        SecretConverters.TokensConverter inFlow;
        using (SecretConverters.Bind(ring))
        {
            inFlow = new SecretConverters.TokensConverter();
            var thread = new Thread(() => onThread = new SecretConverters.TokensConverter());
            thread.Start();
            thread.Join();
        }

        Assert.Same(ring, inFlow.Ring);
        Assert.Same(ring, onThread!.Ring);
        Assert.Null(new SecretConverters.TokensConverter().Ring);
        var unbound = new SecretConverters.TokensConverter();
        Assert.Throws<EncryptionConfigurationException>(() => unbound.ConvertToProvider(new OAuthTokens { AccessToken = "secret" }));
    }

    /// <summary>
    /// A context on the provider's compiled model, which is built (if no store built it yet) under the key ring the
    /// store fixtures use, so this test leaves them the compiled model. It never connects.
    /// </summary>
    private static SessionsDbContext Compiled(SessionStorageProvider provider)
    {
        var builder = new DbContextOptionsBuilder<SessionsDbContext>();
        IModel model;
        if (provider is SessionStorageProvider.Postgres)
        {
            _ = CompiledSessionsModel.Postgres.For(Ring());
            model = EF.Model.Compiled.Postgres.SessionsDbContextModel.Instance;
            builder.UseNpgsql("Host=localhost;Database=mcp_sessions");
        }
        else
        {
            _ = CompiledSessionsModel.Sqlite.For(Ring());
            model = EF.Model.Compiled.Sqlite.SessionsDbContextModel.Instance;
            builder.UseSqlite("Data Source=:memory:");
        }

        builder.UseMcpSessions(keyRing: null).UseModel(model);
        return new SessionsDbContext(builder.Options);
    }

    private static SessionKeyRing Ring() =>
        SessionKeyRingFactory.Create(new McpSessionsOptions { Encryption = { Key = TestKeys.A } }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private static bool IsSecret(Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter converter) =>
        converter.GetType().DeclaringType == typeof(SecretConverters);

    private static List<string> Describe(IModel model)
    {
        var entity = model.FindEntityType(typeof(McpSession))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var lines = new List<string> { $"table {table.DisplayName()}" };
        lines.AddRange(entity.GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p =>
            $"{p.Name}: {p.GetColumnName(table)} {p.GetColumnType()} nullable={p.IsNullable} concurrency={p.IsConcurrencyToken} "
            + $"generated={p.ValueGenerated} default={p.GetDefaultValue()} sql={p.GetDefaultValueSql()} "
            + $"converter={p.GetTypeMapping().Converter?.GetType().Name} provider={p.GetTypeMapping().Converter?.ProviderClrType.Name ?? p.ClrType.Name}"));
        lines.AddRange(entity.GetIndexes().Select(i => $"index {i.GetDatabaseName()} ({string.Join(", ", i.Properties.Select(p => p.Name))}) unique={i.IsUnique}").Order(StringComparer.Ordinal));
        lines.AddRange(entity.GetKeys().Select(k => $"key {k.GetName()} ({string.Join(", ", k.Properties.Select(p => p.Name))}) primary={k.IsPrimaryKey()}"));
        return lines;
    }

    private static IEnumerable<object> Samples(Type type) =>
        type == typeof(DateTimeOffset)
            ? [new DateTimeOffset(2026, 12, 1, 12, 34, 56, TimeSpan.Zero).AddTicks(7_890_120), DateTimeOffset.UnixEpoch, new DateTimeOffset(1969, 7, 20, 20, 17, 40, TimeSpan.Zero)]
            : type == typeof(McpTransportType)
                ? [McpTransportType.Sse, McpTransportType.StreamableHttp]
                : [];

    private static IEnumerable<(object? A, object? B)> Pairs(Type type)
    {
        if (type == typeof(OAuthTokens))
        {
            yield return (new OAuthTokens { AccessToken = "a" }, new OAuthTokens { AccessToken = "a" });
            yield return (new OAuthTokens { AccessToken = "a" }, new OAuthTokens { AccessToken = "b" });
        }
        else if (type == typeof(Dictionary<string, string>))
        {
            yield return (new Dictionary<string, string> { ["k"] = "v" }, new Dictionary<string, string> { ["k"] = "v" });
            yield return (new Dictionary<string, string> { ["k"] = "v" }, new Dictionary<string, string> { ["k"] = "w" });
        }
    }
}
