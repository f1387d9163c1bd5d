using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Tests.Specification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Real SQLite files as in <see cref="SqliteFixture"/>, with the store on a host's own context
/// (<see cref="HostDbContext"/>, registered with <c>AddDbContextFactory</c> and <c>UseSqlite</c> by <see cref="SqliteFixture.UseProvider"/>), which runs its
/// statements through EF Core's relational command pipeline. The library never migrates a host's database: a test
/// that asks for <see cref="McpSessionsOptions.AutoMigrate"/> gets the store with it left unset, and the schema the
/// host's own migration would create (<c>EnsureCreated</c>) before the services are returned.
/// </summary>
public sealed class SqliteHostContextFixture : SqliteFixture
{
    public override ServiceProvider BuildServices(string connectionString, Action<McpSessionsOptions>? configure = null, TimeProvider? clock = null, Action<McpSessionsBuilder>? build = null)
    {
        var requested = new McpSessionsOptions();
        configure?.Invoke(requested);
        var services = base.BuildServices(
            connectionString,
            o =>
            {
                configure?.Invoke(o);
                o.AutoMigrate = null;
            },
            clock,
            build);
        if (requested.AutoMigrate == true)
        {
            using var context = services.GetRequiredService<IDbContextFactory<HostDbContext>>().CreateDbContext();
            context.Database.EnsureCreated();
        }

        return services;
    }

    protected override McpSessionsBuilder AddStore(IServiceCollection services, string connectionString, Action<McpSessionsOptions> configure)
    {
        services.AddDbContextFactory<HostDbContext>(o => UseProvider(o, connectionString));
        return services.AddMcpSessions<HostDbContext>(configure);
    }
}
