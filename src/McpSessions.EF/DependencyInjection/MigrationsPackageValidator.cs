using System.Reflection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.DependencyInjection;

/// <summary>
/// Fails at startup when the library's own context would need a migrations package the application does not
/// reference (EF loads it by name only when the schema is first checked). The native SQLite provider needs no such
/// check: this package references Microsoft.EntityFrameworkCore.Sqlite itself.
/// </summary>
internal sealed class MigrationsPackageValidator : IValidateOptions<McpSessionsOptions>
{
    public ValidateOptionsResult Validate(string? name, McpSessionsOptions options)
    {
        var provider = options.UsesHostContext ? null : options.Provider switch
        {
            SessionStorageProvider.Postgres or SessionStorageProvider.Supabase => SessionsProvider.Postgres,
            SessionStorageProvider.Sqlite or SessionStorageProvider.Memory => SessionsProvider.Sqlite,
            _ => null,
        };
        if (provider is null)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            _ = Assembly.Load(new AssemblyName(provider.MigrationsAssembly));
            return ValidateOptionsResult.Success;
        }
        catch (FileNotFoundException)
        {
            return ValidateOptionsResult.Fail(
                $"{provider.MigrationsAssembly} is not referenced: add the package {provider.MigrationsAssembly} to the application "
                + $"(dotnet add package {provider.MigrationsAssembly}), which holds the schema of McpSessions:Provider {options.Provider.ToString().ToLowerInvariant()}.");
        }
    }
}
