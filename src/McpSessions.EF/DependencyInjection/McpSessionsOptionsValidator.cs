using Microsoft.Extensions.Options;

namespace McpSessions.EF.DependencyInjection;

/// <summary>Checks <see cref="McpSessionsOptions"/> at startup, naming the setting that is wrong.</summary>
internal sealed class McpSessionsOptionsValidator : IValidateOptions<McpSessionsOptions>
{
    public ValidateOptionsResult Validate(string? name, McpSessionsOptions options)
    {
        var failures = new List<string>(options.ConfigurationErrors);
        const string prefix = McpSessionsOptions.SectionName + ":";

        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"{prefix}Provider must be one of sqlite, postgres, supabase, memory.");
        }

        if (options.UsesHostContext && options.AutoMigrate == true)
        {
            failures.Add($"{prefix}AutoMigrate applies to the library's own database only: the store never migrates a host's context. "
                + "Add the session table to your context's migrations (`dotnet ef migrations add`) and apply them with `dotnet ef database update`.");
        }

        if (!options.UsesHostContext && options.Provider is SessionStorageProvider.Postgres or SessionStorageProvider.Supabase && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{prefix}ConnectionString is required for provider {options.Provider} (or set DATABASE_URL).");
        }

        if (options.Provider is SessionStorageProvider.Sqlite && string.IsNullOrWhiteSpace(options.ConnectionString) && string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            failures.Add($"{prefix}SqlitePath must not be empty.");
        }

        if (!options.UsesHostContext && Providers.SessionsDatabase.SettingError(options) is { } settingError)
        {
            failures.Add(settingError);
        }

        if (!Enum.IsDefined(options.SqliteSynchronous))
        {
            failures.Add($"{prefix}SqliteSynchronous must be Normal or Full.");
        }

        if (!Enum.IsDefined(options.PostgresPooler))
        {
            failures.Add($"{prefix}PostgresPooler must be Auto, None or Transaction.");
        }

        Positive(options.PendingTtl, nameof(options.PendingTtl));
        Positive(options.ActiveTtl, nameof(options.ActiveTtl));
        Positive(options.DormantAfter, nameof(options.DormantAfter));
        Positive(options.CleanupInterval, nameof(options.CleanupInterval));

        if (options.CleanupBatchSize is < 1 or > 100_000)
        {
            failures.Add($"{prefix}CleanupBatchSize must be between 1 and 100000.");
        }

        if (options.ReencryptBatchSize is < 1 or > 100_000)
        {
            failures.Add($"{prefix}ReencryptBatchSize must be between 1 and 100000.");
        }

        try
        {
            _ = SessionKeyRingFactory.Parse(options.Encryption);
        }
        catch (EncryptionConfigurationException e)
        {
            failures.Add(e.Message);
        }

        if (!Enum.IsDefined(options.Encryption.Format))
        {
            failures.Add($"{prefix}Encryption:Format must be Versioned or McpTsCompatible.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{prefix}{setting} must be a positive time span.");
            }
        }
    }
}
