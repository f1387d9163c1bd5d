using McpSessions.EF.DependencyInjection;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.ModelContextProtocol;

/// <summary>Bad bridge options fail when the bridge is resolved, with a message that names the setting.</summary>
public sealed class ClientOptionsValidationTests
{
    public static TheoryData<string, string> InvalidSettings => new()
    {
        { nameof(McpSessionsClientOptions.LockTimeout), "McpSessionsClientOptions.LockTimeout must be a positive time span." },
        { nameof(McpSessionsClientOptions.RefreshHoldTimeout), "McpSessionsClientOptions.RefreshHoldTimeout must be a positive time span." },
        { nameof(McpSessionsClientOptions.MaxExpirySkew), "McpSessionsClientOptions.MaxExpirySkew must not be negative." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task An_invalid_setting_fails_naming_the_setting(string setting, string message)
    {
        await using var services = new ServiceCollection()
            .AddMcpSessions(o => (o.Provider, o.Encryption.Key) = (SessionStorageProvider.Memory, TestKeys.A))
            .AddModelContextProtocol(o =>
            {
                var invalid = TimeSpan.FromSeconds(-1);
                _ = setting switch
                {
                    nameof(McpSessionsClientOptions.LockTimeout) => o.LockTimeout = invalid,
                    nameof(McpSessionsClientOptions.RefreshHoldTimeout) => o.RefreshHoldTimeout = invalid,
                    _ => o.MaxExpirySkew = invalid,
                };
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IMcpSessionClientFactory>());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bridge_refreshes_under_the_stores_own_cross_instance_session_lock()
    {
        await using var services = new ServiceCollection()
            .AddMcpSessions(o => (o.Provider, o.Encryption.Key) = (SessionStorageProvider.Memory, TestKeys.A))
            .AddModelContextProtocol().Services.BuildServiceProvider();

        var sessionLock = services.GetRequiredService<McpSessions.EF.Locking.ISessionLock>();

        Assert.StartsWith("EfSessionLock", sessionLock.GetType().Name, StringComparison.Ordinal);
    }
}
