using System.Data.Common;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// One real database per test class, and a store on it with a hand-moved clock. A provider is one subclass: it says
/// how to make an empty database and how to open a raw connection to it.
/// </summary>
public abstract class SessionStoreFixture : IAsyncLifetime
{
    /// <summary>The cleanup batch size of <see cref="Store"/>: small, so the tests cross batch boundaries.</summary>
    public const int CleanupBatchSize = 7;

    private readonly List<ServiceProvider> _providers = [];

    public ManualTimeProvider Clock { get; } = new();

    public ISessionStore Store { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public abstract SessionStorageProvider Provider { get; }

    /// <summary>Creates an empty database (no schema) and returns its connection string.</summary>
    public abstract Task<string> CreateEmptyDatabaseAsync();

    /// <summary>Points a host's own context at <paramref name="connectionString"/>.</summary>
    public abstract void UseProvider(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder builder, string connectionString);

    /// <summary>
    /// The environment that points the <c>mcp-sessions</c> tool at <paramref name="connectionString"/>, the way a user of
    /// @mcp-ts/sdk would: <c>MCP_TS_STORAGE_TYPE</c> and <c>DATABASE_URL</c> or <c>MCP_TS_STORAGE_SQLITE_PATH</c>.
    /// </summary>
    public abstract Dictionary<string, string?> CliEnvironment(string connectionString);

    /// <summary>
    /// An environment naming a database of this provider that cannot be reached or opened, with
    /// <paramref name="password"/> where the provider takes one, and the name a message about it must contain.
    /// </summary>
    public abstract (Dictionary<string, string?> Environment, string Name) UnreachableCliEnvironment(string password);

    /// <summary>The tables in <paramref name="connectionString"/>'s database; empty when there are none, or no database at all. Creates nothing.</summary>
    public abstract Task<IReadOnlyList<string>> TableNamesAsync(string connectionString);

    /// <summary>Opens a plain ADO.NET connection, for reading what is really stored.</summary>
    public abstract Task<DbConnection> OpenRawAsync(string connectionString);

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateEmptyDatabaseAsync();
        Store = BuildServices(ConnectionString, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>();
    }

    /// <summary>
    /// A service provider with the store on <paramref name="connectionString"/>, this fixture's clock, key
    /// <see cref="TestKeys.A"/>, and cleanup off. <paramref name="configure"/> runs last and may change any of it;
    /// <paramref name="build"/> may add to the registration (the cache tier, say).
    /// </summary>
    public virtual ServiceProvider BuildServices(string connectionString, Action<McpSessionsOptions>? configure = null, TimeProvider? clock = null, Action<McpSessionsBuilder>? build = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock ?? Clock);
        var builder = AddStore(services, connectionString, o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            o.CleanupBatchSize = CleanupBatchSize;
            ConfigureProvider(o);
            configure?.Invoke(o);
        });
        build?.Invoke(builder);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return provider;
    }

    /// <summary>
    /// A second store on <see cref="ConnectionString"/>'s database, independent of <see cref="Store"/> as another instance
    /// of the application would be: a service provider of its own (its own contexts, runner, in-process locks and
    /// connection pool), this fixture's clock. Built on first use.
    /// </summary>
    public ISessionStore SecondStore => _secondStore ??= BuildServices(OwnPoolConnectionString(ConnectionString)).GetRequiredService<ISessionStore>();

    private ISessionStore? _secondStore;

    /// <summary>
    /// <paramref name="connectionString"/>'s database through a connection pool of its own. By default the same string: the
    /// library's own PostgreSQL store builds a data source (and pool) per service provider.
    /// </summary>
    public virtual string OwnPoolConnectionString(string connectionString) => connectionString;

    /// <summary>
    /// Registers the store on <paramref name="connectionString"/> with <paramref name="configure"/>: by default on the
    /// library's own context, given the provider and the connection string.
    /// </summary>
    protected virtual McpSessionsBuilder AddStore(IServiceCollection services, string connectionString, Action<McpSessionsOptions> configure)
    {
        return services.AddMcpSessions(o =>
        {
            o.Provider = Provider;
            o.ConnectionString = connectionString;
            configure(o);
        });
    }

    /// <summary>Provider settings every service provider of this fixture gets, before the test's own.</summary>
    public virtual void ConfigureProvider(McpSessionsOptions options)
    {
    }

    /// <summary>Sets a column's stored value directly, as another writer (a Node service) would: JSON columns take JSON text.</summary>
    public abstract Task SetRawAsync(string sessionId, string column, string? stored);

    /// <summary>Every column of a row as the database returns it, as text.</summary>
    public async Task<Dictionary<string, string?>> ReadRawRowAsync(string sessionId)
    {
        await using var connection = await OpenRawAsync(ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM mcp_sessions WHERE session_id = @id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = sessionId;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no row {sessionId}");
        var row = new Dictionary<string, string?>();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        }

        return row;
    }

    protected static async Task<IReadOnlyList<string>> QueryStringsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public async Task<long> CountRowsAsync(string? connectionString = null)
    {
        await using var connection = await OpenRawAsync(connectionString ?? ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM mcp_sessions";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }
}
