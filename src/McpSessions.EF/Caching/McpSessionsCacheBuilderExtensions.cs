using System.Diagnostics.Metrics;
using McpSessions.EF.RowLevelSecurity;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Caching;

/// <summary>Adds the distributed cache tier to the session store.</summary>
public static class McpSessionsCacheBuilderExtensions
{
    /// <summary>
    /// Puts a cache tier (SPEC §6) in front of the session store registered by <c>AddMcpSessions</c>:
    /// <see cref="ISessionStore.GetAsync"/> is answered from the app's <see cref="IDistributedCache"/> (Redis through
    /// <c>AddStackExchangeRedisCache</c>, or any other) while it holds a current entry, and every write invalidates
    /// across instances. Entries hold the secrets encrypted. A failing or slow cache is bypassed; every call still
    /// succeeds from the database. Register the <see cref="IDistributedCache"/> yourself.
    /// </summary>
    /// <param name="builder">What <c>AddMcpSessions</c> returned.</param>
    /// <param name="configure">Changes the <see cref="SessionCacheOptions"/>; they can also be bound from configuration.</param>
    /// <exception cref="InvalidOperationException">No session store is registered in <paramref name="builder"/>'s services.</exception>
    public static McpSessionsBuilder AddDistributedCache(this McpSessionsBuilder builder, Action<SessionCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SessionCacheOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionCacheOptions>, SessionCacheOptionsValidator>());

        var store = services.LastOrDefault(d => d.ServiceType == typeof(ISessionStore) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("AddDistributedCache decorates the session store: call it on the builder that services.AddMcpSessions(...) returns.");
        if (store.ImplementationFactory?.Target is not Decoration)
        {
            services[services.IndexOf(store)] = new ServiceDescriptor(typeof(ISessionStore), new Decoration(store).Create, store.Lifetime);
        }

        return builder;
    }

    /// <summary>Builds the decorated store from its original registration, whatever its kind.</summary>
    private sealed class Decoration(ServiceDescriptor inner)
    {
        public CachingSessionStore Create(IServiceProvider services)
        {
            var cache = services.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                "The session cache tier needs an IDistributedCache: register one before the store is used, " +
                "e.g. services.AddStackExchangeRedisCache(o => o.Configuration = \"localhost:6379\").");

            var (store, owned) = inner switch
            {
                { ImplementationInstance: ISessionStore instance } => (instance, false),
                { ImplementationFactory: { } factory } => ((ISessionStore)factory(services), true),
                _ => ((ISessionStore)ActivatorUtilities.CreateInstance(services, inner.ImplementationType!), true),
            };

            return new CachingSessionStore(
                store,
                owned,
                cache,
                services.GetRequiredService<IOptions<SessionCacheOptions>>().Value,
                services.GetRequiredService<SessionKeyRing>(),
                services.GetRequiredService<SessionClock>(),
                services.GetRequiredService<TimeProvider>(),
                services.GetService<IMeterFactory>(),
                services.GetService<RowLevelSecurityPolicy>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger("McpSessions.EF.Caching"));
        }
    }
}
