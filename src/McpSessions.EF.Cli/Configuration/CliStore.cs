using System.CommandLine;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Providers;
using McpSessions.EF.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Cli.Configuration;

/// <summary>
/// The library, configured for one command as the user configured it (<see cref="CliConfiguration"/>). Opening it
/// checks the configuration, so a wrong or missing setting is one line and exit code 2 before anything is touched.
/// </summary>
internal sealed class CliStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly SessionsDatabase _database;

    private CliStore(ServiceProvider services, McpSessionsOptions options, SessionsDatabase database)
    {
        _services = services;
        _database = database;
        Options = options;
    }

    public McpSessionsOptions Options { get; }

    public ISessionAdmin Admin => _services.GetRequiredService<ISessionAdmin>();

    public ISessionReencryptor Reencryptor => _services.GetRequiredService<ISessionReencryptor>();

    public SessionKeyRing KeyRing => _services.GetRequiredService<SessionKeyRing>();

    /// <summary>The database, for messages: provider, name and host or file, never a password.</summary>
    public string Database => _database.Description;

    /// <param name="parseResult">The command line, for the connection flags.</param>
    /// <param name="flags">The connection flags of the command.</param>
    /// <param name="createDatabase">Whether a SQLite file that does not exist may be created (only <c>migrate</c>).</param>
    /// <param name="usesKey">
    /// Whether the command reads or writes a secret. One that does not (<c>list</c>, <c>stats</c>, <c>cleanup</c>,
    /// <c>migrate</c>) runs without a key: its store has no key, so a secret it touched by mistake would fail to decrypt
    /// rather than show, and it writes none. A key that is configured is still checked.
    /// </param>
    public static async Task<CliStore> OpenAsync(ParseResult parseResult, ConnectionOptions flags, bool createDatabase, bool usesKey)
    {
        var configuration = CliConfiguration.Build(parseResult, flags);
        var services = new ServiceCollection();
        services.AddMcpSessions(configuration, o =>
        {
            o.CleanupEnabled = false;

            // An operator tool changes a schema only when asked (`migrate`), on every provider: `list` pointed at the
            // wrong SQLite file must not add tables to it. McpSessions:AutoMigrate, when set, still wins.
            o.AutoMigrate ??= false;
            o.CreateMissingDatabase = createDatabase;
            if (!usesKey)
            {
                o.Encryption.AllowPlaintext = true;
            }
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            var options = provider.GetRequiredService<IOptions<McpSessionsOptions>>().Value;
            var database = Configured(() => provider.GetRequiredService<SessionsDatabase>(), "McpSessions:ConnectionString (DATABASE_URL, --connection) is not valid");
            if (!createDatabase && database.IsMissing)
            {
                throw new CliException(
                    CliErrors.Configuration,
                    $"no database at {database.FilePath}. Point --connection or {SeedEnvironmentConfiguration.SqlitePath} at your SQLite file, or create one there with `mcp-sessions migrate`.");
            }

            return new CliStore(provider, options, database);
        }
        catch (OptionsValidationException e)
        {
            await provider.DisposeAsync();
            var hint = e.Failures.Any(f => f.Contains(SessionKeyRingFactory.KeySetting, StringComparison.Ordinal)) ? " The CLI also takes the key as --key." : "";
            throw new CliException(CliErrors.Configuration, $"configuration: {string.Join(" ", e.Failures)}{hint}", e);
        }
        catch (InvalidOperationException e) when (e is not EncryptionConfigurationException)
        {
            // The configuration binder: a value that does not convert (McpSessions__Provider=redis, a TTL that is not a time span).
            await provider.DisposeAsync();
            throw new CliException(CliErrors.Configuration, $"configuration: {CliErrors.DescribeWithCause(e)}", e);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/>; a database that cannot be reached or opened becomes one line naming it (never
    /// its password) and exit code 2.
    /// </summary>
    public async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is not CliException && _database.Provider.IsConnectionFailure(e))
        {
            throw new CliException(CliErrors.Configuration, $"cannot open the {Database}: {CliErrors.DescribeWithCause(e)}", e);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static T Configured<T>(Func<T> create, string setting)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            throw new CliException(CliErrors.Configuration, $"configuration: {setting}: {CliErrors.Describe(e)}", e);
        }
    }
}
