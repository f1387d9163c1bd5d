using McpSessions.EF.Encryption;
using McpSessions.EF.Infrastructure;
using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using McpSessions.EF.Providers;
using McpSessions.EF.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.DependencyInjection;

/// <summary>Registers the session store.</summary>
public static class McpSessionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISessionStore"/> on the library's own <see cref="SessionsDbContext"/> (pooled), the options,
    /// and the background cleanup service. With nothing configured, sessions go to the SQLite file <c>mcp-sessions.db</c>.
    /// </summary>
    public static McpSessionsBuilder AddMcpSessions(this IServiceCollection services, Action<McpSessionsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services, configure);

        services.TryAddSingleton(sp => SessionsDatabase.Create(sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value));
        services.AddPooledDbContextFactory<SessionsDbContext>((sp, builder) =>
        {
            sp.GetRequiredService<SessionsDatabase>().Configure(builder);
            builder.UseMcpSessions(ModelOptions(sp), sp.GetRequiredService<SessionKeyRing>());
        });
        services.TryAddSingleton(sp => new SessionSchemaGate(
            sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value.ResolvedAutoMigrate,
            sp.GetRequiredService<SessionsDatabase>()));
        services.TryAddSingleton<ISessionStore>(sp => new EfSessionStore<SessionsDbContext>(
            new SessionContextSource<SessionsDbContext>(sp),
            sp.GetRequiredService<SessionClock>(),
            sp.GetRequiredService<SessionSchemaGate>(),
            sp.GetRequiredService<SessionsDatabase>(),
            sp.GetRequiredService<ILogger<ISessionStore>>()));
        services.TryAddSingleton<ISessionAdmin>(sp => new EfSessionAdmin(
            new SessionContextSource<SessionsDbContext>(sp),
            sp.GetRequiredService<SessionClock>(),
            sp.GetRequiredService<SessionSchemaGate>(),
            sp.GetRequiredService<SessionsDatabase>()));
        AddReencryptor<SessionsDbContext>(services);
        return new McpSessionsBuilder(services);
    }

    /// <summary>Registers the session store with options bound from <paramref name="configuration"/>'s <c>McpSessions</c> section.</summary>
    public static McpSessionsBuilder AddMcpSessions(this IServiceCollection services, IConfiguration configuration, Action<McpSessionsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<McpSessionsOptions>()
            .Bind(configuration.GetSection(McpSessionsOptions.SectionName))
            .Configure(options => SeedEnvironmentConfiguration.Apply(configuration, options));
        return services.AddMcpSessions(configure);
    }

    /// <summary>
    /// Registers <see cref="ISessionStore"/> on the host's own context <typeparamref name="TContext"/>, which maps the
    /// session with <c>modelBuilder.ApplyMcpSessions(this)</c>. Register the context itself as usual
    /// (<c>AddDbContext</c>, <c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>); its provider and
    /// migrations are the host's, and <see cref="McpSessionsOptions.AutoMigrate"/> defaults to off.
    /// </summary>
    public static McpSessionsBuilder AddMcpSessions<TContext>(this IServiceCollection services, Action<McpSessionsOptions>? configure = null)
        where TContext : DbContext, IMcpSessionsContext
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services, options =>
        {
            options.UsesHostContext = true;
            configure?.Invoke(options);
        });

        services.ConfigureDbContext<TContext>((sp, builder) => builder.UseMcpSessions(ModelOptions(sp), sp.GetRequiredService<SessionKeyRing>()));
        services.TryAddSingleton(sp => new SessionSchemaGate(sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value.AutoMigrate ?? false, null));
        services.TryAddSingleton<ISessionStore>(sp => new EfSessionStore<TContext>(
            new SessionContextSource<TContext>(sp),
            sp.GetRequiredService<SessionClock>(),
            sp.GetRequiredService<SessionSchemaGate>(),
            null,
            sp.GetRequiredService<ILogger<ISessionStore>>()));
        AddReencryptor<TContext>(services);
        return new McpSessionsBuilder(services);
    }

    private static void AddCore(IServiceCollection services, Action<McpSessionsOptions>? configure)
    {
        var optionsBuilder = services.AddOptions<McpSessionsOptions>().ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpSessionsOptions>, McpSessionsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SessionClock(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value));
        services.AddLogging();
        services.TryAddSingleton(sp => SessionKeyRingFactory.Create(
            sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("McpSessions.EF.Encryption")));
        if (!services.Any(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ImplementationType == typeof(SessionCleanupService)))
        {
            services.AddHostedService<SessionCleanupService>();
        }
    }

    private static void AddReencryptor<TContext>(IServiceCollection services)
        where TContext : DbContext =>
        services.TryAddSingleton<ISessionReencryptor>(sp => new EfSessionReencryptor<TContext>(
            new SessionContextSource<TContext>(sp),
            sp.GetRequiredService<SessionSchemaGate>(),
            sp.GetRequiredService<SessionKeyRing>(),
            sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value.ReencryptBatchSize,
            sp.GetRequiredService<ILogger<ISessionReencryptor>>()));

    private static McpSessionsModelOptions ModelOptions(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<McpSessionsOptions>>().Value;
        return new McpSessionsModelOptions { TableName = options.TableName, Schema = options.Schema };
    }
}
