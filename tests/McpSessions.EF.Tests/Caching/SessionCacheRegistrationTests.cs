using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.Caching;

/// <summary>Registering the cache tier: one call on the builder, options checked at startup, a clear error without a cache.</summary>
public sealed class SessionCacheRegistrationTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task AddDistributedCache_puts_the_cache_in_front_of_the_store_that_AddMcpSessions_registered()
    {
        await using var services = fixture.BuildServices(fixture.ConnectionString, build: b =>
        {
            b.Services.AddDistributedMemoryCache();
            b.AddDistributedCache();
        });
        var store = services.GetRequiredService<ISessionStore>();

        Assert.Equal("CachingSessionStore", store.GetType().Name);
        var session = await store.CreateAsync(new McpSessions.EF.Model.McpSession
        {
            SessionId = store.GenerateSessionId(), Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp", CallbackUrl = "https://app.example.com/cb",
        });
        Assert.NotNull(await store.GetAsync("alice", session.SessionId));
        Assert.NotNull(services.GetRequiredService<IDistributedCache>().Get("mcp:session:alice:" + session.SessionId));
    }

    [Fact]
    public async Task Adding_the_cache_twice_decorates_the_store_once()
    {
        await using var services = fixture.BuildServices(fixture.ConnectionString, build: b =>
        {
            b.Services.AddDistributedMemoryCache();
            b.AddDistributedCache(o => o.Prefix = "first:").AddDistributedCache(o => o.CacheTtl = TimeSpan.FromMinutes(1));
        });

        Assert.Single(services.GetServices<ISessionStore>());
        Assert.Equal("CachingSessionStore", services.GetRequiredService<ISessionStore>().GetType().Name);
        var options = services.GetRequiredService<IOptions<SessionCacheOptions>>().Value;
        Assert.Equal("first:", options.Prefix);
        Assert.Equal(TimeSpan.FromMinutes(1), options.CacheTtl);
    }

    [Fact]
    public async Task Without_an_IDistributedCache_resolving_the_store_says_what_to_register()
    {
        await using var services = fixture.BuildServices(fixture.ConnectionString, build: b => b.AddDistributedCache());

        var error = Assert.Throws<InvalidOperationException>(services.GetRequiredService<ISessionStore>);
        Assert.Contains("IDistributedCache", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddStackExchangeRedisCache", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CacheTtl")]
    [InlineData("OperationTimeout")]
    [InlineData("BypassPeriod")]
    [InlineData("FailureThreshold")]
    [InlineData("Prefix")]
    public async Task An_invalid_cache_setting_stops_startup_naming_it(string setting)
    {
        await using var services = fixture.BuildServices(fixture.ConnectionString, build: b =>
        {
            b.Services.AddDistributedMemoryCache();
            b.AddDistributedCache(o =>
            {
                switch (setting)
                {
                    case "CacheTtl": o.CacheTtl = TimeSpan.Zero; break;
                    case "OperationTimeout": o.OperationTimeout = TimeSpan.FromMinutes(5); break;
                    case "BypassPeriod": o.BypassPeriod = TimeSpan.FromMilliseconds(-1); break;
                    case "FailureThreshold": o.FailureThreshold = 0; break;
                    case "Prefix": o.Prefix = "bad\nprefix"; break;
                }
            });
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SessionCacheOptions>>().Value);
        Assert.Contains($"McpSessions:Cache:{setting}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid_and_documented()
    {
        var options = new SessionCacheOptions();

        Assert.Equal("mcp:session:", options.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CacheTtl);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.OperationTimeout);
        Assert.Equal(3, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.BypassPeriod);
        Assert.True(new SessionCacheOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task The_cache_works_with_the_in_memory_IDistributedCache_too()
    {
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        await using var services = fixture.BuildServices(fixture.ConnectionString, build: b =>
        {
            b.Services.AddSingleton<IDistributedCache>(cache);
            b.AddDistributedCache(o => o.Prefix = "mem:");
        });
        var store = services.GetRequiredService<ISessionStore>();
        var session = await store.CreateAsync(new McpSessions.EF.Model.McpSession
        {
            SessionId = store.GenerateSessionId(), Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp", CallbackUrl = "https://app.example.com/cb",
        });
        await store.GetAsync("alice", session.SessionId);

        await store.UpdateAsync("alice", session.SessionId, new SessionUpdate { ServerName = "renamed" });

        Assert.Equal("renamed", (await store.GetAsync("alice", session.SessionId))!.ServerName);
        Assert.NotNull(cache.Get("mem:#epoch"));
    }
}
