namespace McpSessions.EF.Storage;

/// <summary>
/// Gives the store a short-lived context per operation: from an <see cref="IDbContextFactory{TContext}"/> (the
/// library's own pooled factory, or a host's), or else from a fresh scope for a host that registered its context
/// with <c>AddDbContext</c> only.
/// </summary>
internal sealed class SessionContextSource<TContext>(IServiceProvider services) where TContext : DbContext
{
    private readonly IDbContextFactory<TContext>? _factory = services.GetService<IDbContextFactory<TContext>>();
    private readonly IServiceScopeFactory _scopes = services.GetRequiredService<IServiceScopeFactory>();

    public Lease Rent()
    {
        if (_factory is not null)
        {
            return new Lease(_factory.CreateDbContext(), null);
        }

        var scope = _scopes.CreateAsyncScope();
        return new Lease(scope.ServiceProvider.GetRequiredService<TContext>(), scope);
    }

    internal readonly struct Lease(TContext context, AsyncServiceScope? scope) : IAsyncDisposable
    {
        public TContext Context { get; } = context;

        public ValueTask DisposeAsync() => scope is { } s ? s.DisposeAsync() : Context.DisposeAsync();
    }
}
