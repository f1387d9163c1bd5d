using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpSessions.EF.Tests.Hosting;

/// <summary>The hosted cleanup service removes sessions that are no longer live, on its interval, without being asked.</summary>
public sealed class CleanupServiceTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task The_hosted_service_removes_expired_sessions_on_its_interval()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = fixture.BuildServices(connectionString, o =>
        {
            o.CleanupEnabled = true;
            o.CleanupInterval = TimeSpan.FromMilliseconds(100);
        });
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(Session("expiring"));
        await store.CreateAsync(Session("kept"));
        await store.UpdateAsync("alice", "kept", new SessionUpdate { Active = true });
        var hosted = services.GetServices<IHostedService>().ToList();
        Assert.Single(hosted);

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        // The session clock moves by hand; the service's timer is real, so poll (bounded) for its work.
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await fixture.CountRowsAsync(connectionString) != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(1, await fixture.CountRowsAsync(connectionString));
        Assert.NotNull(await store.GetAsync("alice", "kept"));
    }

    [Fact]
    public async Task With_cleanup_disabled_the_service_does_nothing()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = fixture.BuildServices(connectionString, o => o.CleanupInterval = TimeSpan.FromMilliseconds(20));
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(Session("expiring-2"));
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));

        var service = services.GetServices<IHostedService>().Single();
        await service.StartAsync(CancellationToken.None);
        await ((BackgroundService)service).ExecuteTask!;

        Assert.Equal(1, await fixture.CountRowsAsync(connectionString));
    }

    private static McpSession Session(string id) => new()
    {
        SessionId = id,
        Identity = "alice",
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/cb",
    };
}
