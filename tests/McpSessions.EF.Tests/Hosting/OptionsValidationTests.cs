using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.Hosting;

/// <summary>Bad options fail at startup with a message that names the setting.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, string> InvalidSettings => new()
    {
        { "Provider=Postgres", "McpSessions:ConnectionString is required for provider Postgres" },
        { "PendingTtl=00:00:00", "McpSessions:PendingTtl must be a positive time span." },
        { "DormantAfter=-1.00:00:00", "McpSessions:DormantAfter must be a positive time span." },
        { "CleanupBatchSize=0", "McpSessions:CleanupBatchSize must be between 1 and 100000." },
        { "SqliteSynchronous=7", "McpSessions:SqliteSynchronous must be Normal or Full." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void An_invalid_setting_fails_when_the_store_is_resolved_naming_the_setting(string setting, string message)
    {
        var (key, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["McpSessions:" + key] = value })
            .Build();
        using var services = new ServiceCollection().AddMcpSessions(configuration).Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ISessionStore>());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_bind_from_the_McpSessions_configuration_section()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["McpSessions:Provider"] = "postgres",
                ["McpSessions:ConnectionString"] = "postgres://u:p%40ss@db.example.com:6543/app?sslmode=require",
                ["McpSessions:PendingTtl"] = "00:05:00",
                ["McpSessions:AutoMigrate"] = "true",
                ["McpSessions:SqliteSynchronous"] = "Full",
                ["McpSessions:Encryption:Key"] = Infrastructure.TestKeys.A,
            })
            .Build();
        using var services = new ServiceCollection().AddMcpSessions(configuration).Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<McpSessionsOptions>>().Value;

        Assert.Equal(SessionStorageProvider.Postgres, options.Provider);
        Assert.Equal(TimeSpan.FromMinutes(5), options.PendingTtl);
        Assert.True(options.AutoMigrate);
        Assert.Equal(SqliteSynchronous.Full, options.SqliteSynchronous);
    }

    [Fact]
    public void A_postgres_uri_becomes_an_npgsql_connection_string()
    {
        var normalized = Providers.PostgresConnectionString.Normalize("postgres://u:p%40ss@db.example.com:6543/app?sslmode=require");

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(normalized);
        Assert.Equal("db.example.com", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("app", builder.Database);
        Assert.Equal("u", builder.Username);
        Assert.Equal("p@ss", builder.Password);
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
        Assert.Equal("Host=h;Database=d", Providers.PostgresConnectionString.Normalize("Host=h;Database=d"));
    }
}
