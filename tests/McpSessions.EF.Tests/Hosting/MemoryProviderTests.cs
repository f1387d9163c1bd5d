using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Hosting;

/// <summary><c>memory</c> is SQLite in memory: it keeps sessions for as long as the store lives, and no longer.</summary>
public sealed class MemoryProviderTests
{
    private static void Memory(McpSessionsOptions options)
    {
        options.Provider = SessionStorageProvider.Memory;
        options.Encryption.Key = Infrastructure.TestKeys.A;
    }

    private static McpSession Session(string id) => new()
    {
        SessionId = id,
        Identity = "alice",
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/cb",
        Tokens = new OAuthTokens { AccessToken = "a" },
    };

    [Fact]
    public async Task A_memory_store_keeps_sessions_across_calls_and_each_store_has_its_own_database()
    {
        await using var first = new ServiceCollection().AddMcpSessions(Memory).Services.BuildServiceProvider();
        await using var second = new ServiceCollection().AddMcpSessions(Memory).Services.BuildServiceProvider();
        var store = first.GetRequiredService<ISessionStore>();
        var other = second.GetRequiredService<ISessionStore>();

        await store.CreateAsync(Session("m-1"));
        await store.UpdateAsync("alice", "m-1", new SessionUpdate { Active = true });

        Assert.True((await store.GetAsync("alice", "m-1"))!.Active);
        Assert.Equal("a", (await store.GetAsync("alice", "m-1"))!.Tokens!.AccessToken);
        Assert.Null(await other.GetAsync("alice", "m-1"));
    }

    [Fact]
    public async Task A_disposed_memory_store_refuses_calls_and_its_sessions_are_gone()
    {
        var services = new ServiceCollection().AddMcpSessions(Memory).Services.BuildServiceProvider();
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(Session("m-2"));

        await services.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("alice", "m-2"));
        await using var fresh = new ServiceCollection().AddMcpSessions(Memory).Services.BuildServiceProvider();
        Assert.Null(await fresh.GetRequiredService<ISessionStore>().GetAsync("alice", "m-2"));
    }
}
