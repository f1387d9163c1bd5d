namespace McpSessions.EF.DependencyInjection;

/// <summary>Returned by <c>AddMcpSessions</c>; optional features (row-level security, the cache tier) hang off it.</summary>
public sealed class McpSessionsBuilder
{
    private readonly Action<Action<IServiceProvider, DbContextOptionsBuilder>> _configureContext;

    internal McpSessionsBuilder(IServiceCollection services, Action<Action<IServiceProvider, DbContextOptionsBuilder>> configureContext)
    {
        Services = services;
        _configureContext = configureContext;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds to the options of the context the store runs on (the library's own, or the host's).</summary>
    internal McpSessionsBuilder ConfigureContext(Action<IServiceProvider, DbContextOptionsBuilder> configure)
    {
        _configureContext(configure);
        return this;
    }

    internal static McpSessionsBuilder For<TContext>(IServiceCollection services)
        where TContext : DbContext =>
        new(services, configure => services.ConfigureDbContext<TContext>(configure));
}
