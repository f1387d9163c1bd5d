using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

/// <summary>An application's own context, with its own entity, that maps the sessions with one line and one interface.</summary>
public sealed class HostDbContext(DbContextOptions<HostDbContext> options) : DbContext(options), IMcpSessionsContext
{
    public DbSet<McpSession> McpSessions => Set<McpSession>();

    public DbSet<HostOrder> Orders => Set<HostOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyMcpSessions(this);
}

public sealed class HostOrder
{
    public int Id { get; set; }

    public string Item { get; set; } = "";
}

/// <summary>Bring your own DbContext: the store works on a host's context, beside the host's own tables.</summary>
public abstract class HostContextSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    /// <summary>A host on an empty database of its own: its context with the sessions mapped, the store on it, the schema as the host's migration would create it.</summary>
    private async Task<ServiceProvider> NewHostAsync()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContext<HostDbContext>(o => fixture.UseProvider(o, connectionString));
        services.AddMcpSessions<HostDbContext>(o => o.Encryption.Key = TestKeys.A);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await using (var scope = provider.CreateAsyncScope())
        {
            await CreateSchemaAsHostMigrationWouldAsync(scope.ServiceProvider.GetRequiredService<HostDbContext>());
        }

        return provider;
    }

    [Fact]
    public async Task The_store_runs_on_the_hosts_own_context_beside_its_other_tables()
    {
        await using var provider = await NewHostAsync();

        var store = provider.GetRequiredService<ISessionStore>();
        await store.CreateAsync(new McpSession
        {
            SessionId = "host-1",
            Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/cb",
            Tokens = new OAuthTokens { AccessToken = "at" },
        });
        await store.UpdateAsync("alice", "host-1", new SessionUpdate { Active = true });

        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<HostDbContext>();
            context.Orders.Add(new HostOrder { Item = "book" });
            await context.SaveChangesAsync();

            var mapped = await context.McpSessions.AsNoTracking().SingleAsync();
            Assert.Equal("host-1", mapped.SessionId);
            Assert.True(mapped.Active);
            Assert.Equal("at", mapped.Tokens!.AccessToken);
            Assert.Equal("mcp_sessions", context.Model.FindEntityType(typeof(McpSession))!.GetTableName());
            Assert.Equal(1, await context.Orders.CountAsync());
        }

        Assert.True((await store.GetAsync("alice", "host-1"))!.Active);
        Assert.True(await store.DeleteAsync("alice", "host-1"));
    }

    [Fact]
    public async Task A_session_the_store_returned_saves_through_the_hosts_context_with_its_untouched_secrets()
    {
        await using var provider = await NewHostAsync();

        var store = provider.GetRequiredService<ISessionStore>();
        await store.CreateAsync(new McpSession
        {
            SessionId = "host-save",
            Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/cb",
            Tokens = new OAuthTokens { AccessToken = "at", RefreshToken = "rt" },
            ClientInformation = new OAuthClientInformation { ClientId = "c", ClientSecret = "cs" },
            Headers = new() { ["X-Key"] = "hv" },
            CodeVerifier = "verifier",
        });

        // The store's session, its secrets never read (pending), saved whole by the host's context.
        var returned = (await store.GetAsync("alice", "host-save"))!;
        returned.ServerName = "renamed";
        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<HostDbContext>();
            context.McpSessions.Update(returned);
            Assert.Equal(1, await context.SaveChangesAsync());
        }

        var read = (await store.GetAsync("alice", "host-save"))!;
        Assert.Equal("renamed", read.ServerName);
        Assert.Equal("at", read.Tokens!.AccessToken);
        Assert.Equal("rt", read.Tokens.RefreshToken);
        Assert.Equal("cs", read.ClientInformation!.ClientSecret);
        Assert.Equal("hv", read.Headers!["X-Key"]);
        Assert.Equal("verifier", read.CodeVerifier);
    }

    /// <summary>What the host's own migration would do: create every table of its model.</summary>
    private static async Task CreateSchemaAsHostMigrationWouldAsync(DbContext context)
    {
        var model = context.GetService<IDesignTimeModel>().Model;
        var operations = context.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());
        var commands = context.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        await context.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, context.GetService<IRelationalConnection>());
    }
}
