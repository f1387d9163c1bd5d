using Microsoft.Extensions.Options;

namespace McpSessions.EF.Caching;

/// <summary>Checks <see cref="SessionCacheOptions"/> at startup, naming the setting that is wrong.</summary>
internal sealed class SessionCacheOptionsValidator : IValidateOptions<SessionCacheOptions>
{
    /// <summary>Redis keys may be long, but a prefix this long is a mistake.</summary>
    public const int MaxPrefixLength = 256;

    public ValidateOptionsResult Validate(string? name, SessionCacheOptions options)
    {
        var failures = new List<string>();
        const string prefix = SessionCacheOptions.SectionName + ":";

        if (options.Prefix is null || options.Prefix.Length > MaxPrefixLength || options.Prefix.Any(char.IsControl))
        {
            failures.Add($"{prefix}Prefix must be at most {MaxPrefixLength} characters with no control characters.");
        }

        Range(options.CacheTtl, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), nameof(options.CacheTtl));
        Range(options.OperationTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), nameof(options.OperationTimeout));
        Range(options.BypassPeriod, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), nameof(options.BypassPeriod));

        if (options.FailureThreshold is < 1 or > 1000)
        {
            failures.Add($"{prefix}FailureThreshold must be between 1 and 1000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(TimeSpan value, TimeSpan min, TimeSpan max, string setting)
        {
            if (value < min || value > max)
            {
                failures.Add($"{prefix}{setting} must be between {min:c} and {max:c}.");
            }
        }
    }
}
