using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// Hostile strings in every string setting (<see cref="McpSessionsOptions"/> and <see cref="SessionCacheOptions"/>):
/// the validators never throw, and either accept the value or fail with a message naming the setting; a store built
/// with a hostile connection string or SQLite path is either built or refused at startup with
/// <see cref="OptionsValidationException"/> naming the setting, never the driver's ArgumentException from inside
/// (which is what a NUL in the SQLite path or <c>' OR '1'='1</c> as a PostgreSQL connection string gave before).
/// </summary>
public sealed class HostileOptionsTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mcpsessions-hostile-options-");

    private sealed record Setting(string Name, Action<McpSessionsOptions, SessionCacheOptions, string> Set);

    private static readonly Setting[] Settings =
    [
        new("ConnectionString", (o, _, s) => { o.Provider = SessionStorageProvider.Postgres; o.ConnectionString = s; }),
        new("SqlitePath", (o, _, s) => { o.Provider = SessionStorageProvider.Sqlite; o.SqlitePath = s; }),
        new("Encryption:Key", (o, _, s) => o.Encryption.Key = s),
        new("Encryption:OldKeys", (o, _, s) => o.Encryption.OldKeys.Add(s)),
        new("Cache:Prefix", (_, c, s) => c.Prefix = s),
    ];

    [Fact]
    public async Task Hostile_strings_in_string_options_pass_or_fail_validation_naming_the_setting_and_never_throw()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        await PropertyRun.CheckAsync(
            nameof(HostileOptionsTests),
            HostileString.Arbitrary(),
            hostile =>
            {
                foreach (var setting in Settings)
                {
                    var options = new McpSessionsOptions { ConnectionString = null, Provider = SessionStorageProvider.Sqlite, SqlitePath = "x.db" };
                    options.Encryption.Key = TestKeys.A;
                    var cache = new SessionCacheOptions();
                    setting.Set(options, cache, hostile.Value);
                    var result = setting.Name.StartsWith("Cache:", StringComparison.Ordinal)
                        ? new SessionCacheOptionsValidator().Validate(null, cache)
                        : new McpSessionsOptionsValidator().Validate(null, options);
                    if (result.Failed && !result.Failures!.Any(f => f.Contains(setting.Name, StringComparison.Ordinal)))
                    {
                        throw new InvalidOperationException($"{setting.Name}: the failures do not name it: {string.Join(" | ", result.Failures!)}");
                    }

                    outcomes[result.Failed ? "refused" : "accepted"] = outcomes.GetValueOrDefault(result.Failed ? "refused" : "accepted") + 1;
                }

                BuildStore(Settings[0], hostile.Value);
                BuildStore(Settings[1], hostile.Value);

            },
            100,
            output);

        output.WriteLine($"{Settings.Length} settings × 100 strings; outcomes: {string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"))}");
    }

    /// <summary>Resolves the store with the hostile setting (connecting to nothing): built, or refused naming the setting.</summary>
    private void BuildStore(Setting setting, string hostile)
    {
        var services = new ServiceCollection();
        services.AddMcpSessions(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            o.AutoMigrate = false;
            setting.Set(o, new SessionCacheOptions(), setting.Name == "SqlitePath" ? Path.Combine(_directory.FullName, hostile) : hostile);
        });
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<ISessionStore>();
        }
        catch (OptionsValidationException e) when (e.Failures.Any(f => f.Contains(setting.Name, StringComparison.Ordinal)))
        {
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{setting.Name}: building the store threw {e.GetType().FullName}: {e.Message}", e);
        }
        finally
        {
            provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
