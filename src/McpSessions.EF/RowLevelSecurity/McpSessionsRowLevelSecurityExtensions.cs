using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpSessions.EF.RowLevelSecurity;

/// <summary>Registers row-level security for the session store (PostgreSQL and Supabase).</summary>
public static class McpSessionsRowLevelSecurityExtensions
{
    /// <summary>
    /// Makes every command of the store run as the current user of <typeparamref name="TAccessor"/>, so the database's
    /// row-level-security policies, not only the application, keep each user to their own sessions. The service
    /// provider must resolve <typeparamref name="TAccessor"/> as a singleton.
    /// </summary>
    public static McpSessionsBuilder AddRowLevelSecurity<TAccessor>(this McpSessionsBuilder builder, Action<RowLevelSecurityOptions>? configure = null)
        where TAccessor : class, IMcpSessionsUserAccessor
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RowLevelSecurityOptions();
        configure?.Invoke(options);
        if (!Enum.IsDefined(options.Mode))
        {
            throw new ArgumentException("RowLevelSecurityOptions.Mode must be Supabase or PostgresIdentity.", nameof(configure));
        }

        builder.Services.TryAddSingleton<TAccessor>();
        builder.Services.TryAddSingleton<IMcpSessionsUserAccessor>(sp => sp.GetRequiredService<TAccessor>());

        // The cache tier asks the same policy before it serves an entry (SPEC §6).
        builder.Services.RemoveAll<RowLevelSecurityPolicy>();
        builder.Services.AddSingleton(sp => new RowLevelSecurityPolicy(options, sp.GetRequiredService<IMcpSessionsUserAccessor>()));
        return builder.ConfigureContext((sp, context) =>
            context.AddInterceptors(new RowLevelSecurityInterceptor(sp.GetRequiredService<RowLevelSecurityPolicy>())));
    }
}
