using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// A host's own context on a data source of the host's, which logs Npgsql's own events at Trace with parameter
/// logging on (<see cref="NpgsqlDataSourceBuilder.EnableParameterLogging"/>) and has PostgreSQL's error details in its
/// exceptions (<c>Include Error Detail</c>, which can quote a failing row), beside EF Core's logs with sensitive data
/// logging: the most a PostgreSQL host can show.
/// </summary>
public sealed class PostgresHostContextSecretLeakTests(PostgresFixture fixture) : SecretLeakSpecification<PostgresFixture>(fixture)
{
    protected override string UnreachableConnectionString(string password) => PostgresLeaks.Unreachable(password);

    protected override McpSessionsBuilder AddStore(IServiceCollection services, string connectionString, string key)
    {
        services.AddSingleton(sp => new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(connectionString) { IncludeErrorDetail = true }.ConnectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .EnableParameterLogging()
            .Build());
        services.AddDbContext<HostDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .EnableSensitiveDataLogging()
            .EnableDetailedErrors());
        return services.AddMcpSessions<HostDbContext>(o =>
        {
            o.Encryption.Key = key;
            o.CleanupEnabled = false;
        });
    }

    [Fact]
    public async Task Npgsql_logs_the_commands_with_their_parameter_values_and_no_secret_in_them()
    {
        var store = Store();
        var session = await store.CreateAsync(SecretSession());
        await store.UpdateAsync("alice", session.SessionId, new Storage.SessionUpdate { Tokens = SecretTokens() });
        await store.GetAsync("alice", session.SessionId);

        Assert.Contains(Witness.LogLines, l => l.Contains(" Npgsql.Command", StringComparison.Ordinal) && l.Contains("enc:2:", StringComparison.Ordinal));
        Witness.AssertNoSecret();
    }

    [Fact]
    public Task Connections_terminated_under_the_store_leak_no_secret() => PostgresLeaks.TerminatedConnectionsAsync(Fixture, Witness, cs => Store(cs), SecretSession);
}
