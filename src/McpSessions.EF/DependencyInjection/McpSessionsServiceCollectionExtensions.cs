using McpSessions.EF.Infrastructure;
using McpSessions.EF.Locking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpSessionsOptions>, MigrationsPackageValidator>());

        services.TryAddSingleton(sp => SessionsDatabase.Create(sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value));
        services.AddPooledDbContextFactory<SessionsDbContext>((sp, builder) =>
        {
            var database = sp.GetRequiredService<SessionsDatabase>();
            var keyRing = sp.GetRequiredService<SessionKeyRing>();
            database.Configure(builder);
            builder.UseMcpSessions(keyRing);

            // The model compiled for the provider, when it is bound to this key ring (CompiledSessionsModel); otherwise
            // EF builds the model, as for any context.
            if (database.CompiledModel.For(keyRing) is { } model)
            {
                builder.UseModel(model);
            }

            // The store rents a context per call and never shares one between threads, so EF's per-call check that
            // nobody else is using the context is pure overhead here.
            builder.EnableThreadSafetyChecks(false);
        });
        AddStore<SessionsDbContext>(
            services,
            sp => sp.GetRequiredService<SessionsDatabase>(),
            options => options.ResolvedAutoMigrate);
        services.TryAddSingleton<ISessionAdmin>(sp => new EfSessionAdmin(
            sp.GetRequiredService<SessionContextSource<SessionsDbContext>>(),
            sp.GetRequiredService<SessionCommandRunner<SessionsDbContext>>(),
            sp.GetRequiredService<SessionClock>(),
            sp.GetRequiredService<SessionSchemaGate>(),
            sp.GetRequiredService<SessionsDatabase>(),
            sp.GetServices<ISessionCleanupNotification>()));
        return McpSessionsBuilder.For<SessionsDbContext>(services);
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

        services.ConfigureDbContext<TContext>((sp, builder) => builder.UseMcpSessions(sp.GetRequiredService<SessionKeyRing>()));
        AddStore<TContext>(services, _ => null, _ => false);
        return McpSessionsBuilder.For<TContext>(services);
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
        services.AddMetrics();
        services.TryAddSingleton<SessionMetrics>();
        services.TryAddSingleton(sp => SessionKeyRingFactory.Create(
            sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("McpSessions.EF.Encryption")));
        if (!services.Any(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ImplementationType == typeof(SessionCleanupService)))
        {
            services.AddHostedService<SessionCleanupService>();
        }
    }

    /// <summary>Everything that runs on the store's context, for the library's own context or a host's.</summary>
    private static void AddStore<TContext>(IServiceCollection services, Func<IServiceProvider, SessionsDatabase?> database, Func<McpSessionsOptions, bool> autoMigrate)
        where TContext : DbContext
    {
        services.TryAddSingleton(sp => new SessionContextSource<TContext>(sp));
        services.TryAddSingleton(sp => new SessionSchemaGate(autoMigrate(sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value), database(sp)));
        services.TryAddSingleton(sp => CreateRunner<TContext>(sp, database(sp)));
        services.TryAddSingleton<ISessionStore>(sp => new InstrumentedSessionStore(
            new EfSessionStore<TContext>(
                sp.GetRequiredService<SessionCommandRunner<TContext>>(),
                sp.GetRequiredService<SessionClock>(),
                database(sp),
                sp.GetServices<ISessionCleanupNotification>(),
                sp.GetRequiredService<ILogger<ISessionStore>>()),
            sp.GetRequiredService<SessionMetrics>()));
        services.TryAddSingleton<ISessionReencryptor>(sp => new EfSessionReencryptor<TContext>(
            sp.GetRequiredService<SessionCommandRunner<TContext>>(),
            sp.GetRequiredService<SessionKeyRing>(),
            sp.GetRequiredService<IOptions<McpSessionsOptions>>().Value.ReencryptBatchSize,
            sp.GetRequiredService<ILogger<ISessionReencryptor>>()));
        services.TryAddSingleton<ISessionLock>(sp => new EfSessionLock<TContext>(
            sp.GetRequiredService<SessionContextSource<TContext>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SessionMetrics>()));
        services.TryAddSingleton<ISessionDatabaseProbe>(sp => new SessionDatabaseProbe<TContext>(
            sp.GetRequiredService<SessionContextSource<TContext>>(), sp.GetRequiredService<SessionSchemaGate>(), database(sp)));
    }

    /// <summary>
    /// The runner of the store's statements, chosen once: prepared statements on the library's own SQLite database,
    /// unless the app added a command or connection interceptor to its context (which must see and may change every
    /// command, as only EF's pipeline lets it); EF Core's command pipeline everywhere else.
    /// </summary>
    private static SessionCommandRunner<TContext> CreateRunner<TContext>(IServiceProvider services, SessionsDatabase? database)
        where TContext : DbContext
    {
        var contexts = services.GetRequiredService<SessionContextSource<TContext>>();
        var schema = services.GetRequiredService<SessionSchemaGate>();
        SessionCommandRunner<TContext> runner = database switch
        {
            SqliteSessionsDatabase sqlite when !Intercepted(sqlite) =>
                new SqlitePreparedRunner<TContext>(contexts, schema, sqlite.ConnectionString, sqlite.Pragmas),
            SqliteSessionsDatabase => new EfCommandRunner<TContext>(contexts, schema, "SQLite with the app's command or connection interceptors"),
            null => new EfCommandRunner<TContext>(contexts, schema, $"the host's context {typeof(TContext).Name}"),
            _ => new EfCommandRunner<TContext>(contexts, schema, "PostgreSQL"),
        };
        var logger = services.GetRequiredService<ILogger<ISessionStore>>();
        Storage.Log.Runner(logger, runner);
        return runner;

        // The library's own context: its options are a singleton of the pooled factory.
        bool Intercepted(SqliteSessionsDatabase sqlite) =>
            (services.GetRequiredService<DbContextOptions<TContext>>().FindExtension<CoreOptionsExtension>()?.Interceptors ?? [])
            .Any(i => i is IDbCommandInterceptor or IDbConnectionInterceptor && !ReferenceEquals(i, sqlite.Pragmas));
    }
}
