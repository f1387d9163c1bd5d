using McpSessions.EF.Locking;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.ModelContextProtocol.Authorization;
using McpSessions.EF.ModelContextProtocol.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.DependencyInjection;

/// <summary>Registers the bridge to the official MCP C# SDK.</summary>
public static class McpSessionsModelContextProtocolExtensions
{
    /// <summary>
    /// Registers <see cref="IMcpSessionClientFactory"/> (SDK client options and a durable token cache from a stored
    /// session) and <see cref="IMcpSessionAuthorization"/> (the OAuth redirect flow for web hosts). Refreshes are
    /// single-flight across instances through the store's <see cref="ISessionLock"/>.
    /// </summary>
    public static McpSessionsBuilder AddModelContextProtocol(this McpSessionsBuilder builder, Action<McpSessionsClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<McpSessionsClientOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpSessionsClientOptions>, McpSessionsClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(McpSessionsClientOptions.HttpClientName);
        services.TryAddSingleton<IMcpSessionClientFactory, McpSessionClientFactory>();
        services.TryAddSingleton<IMcpSessionAuthorization, McpSessionAuthorization>();
        return builder;
    }
}
