using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpSessions.EF.Tests.ModelContextProtocol;

/// <summary>
/// The SDK's server-side Streamable HTTP transport in stateless mode, mapped with minimal APIs. Stands in for
/// <c>ModelContextProtocol.AspNetCore</c>'s <c>MapMcp</c>, which is not on the package feed: each POST gets its own
/// <see cref="StreamableHttpServerTransport"/> and <see cref="McpServer"/> (ModelContextProtocol.Core), as MapMcp does in
/// stateless mode.
/// </summary>
public static class StatelessMcpEndpoint
{
    public static RouteHandlerBuilder MapStatelessMcp(this IEndpointRouteBuilder endpoints, string pattern, Func<McpServerOptions> options) =>
        endpoints.MapPost(pattern, async (HttpContext context, ILoggerFactory loggers) =>
        {
            var message = (JsonRpcMessage?)await JsonSerializer.DeserializeAsync(
                context.Request.Body, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)), context.RequestAborted);
            if (message is null)
            {
                return Results.BadRequest();
            }

            var serverOptions = options();
            serverOptions.ScopeRequests = false;
            var transport = new StreamableHttpServerTransport(loggers) { Stateless = true };
            await using var server = McpServer.Create(transport, serverOptions, loggers, context.RequestServices);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var running = server.RunAsync(stop.Token);

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache,no-store";
            var wrote = await transport.HandlePostRequestAsync(message, context.Response.Body, context.RequestAborted);
            await stop.CancelAsync();
            await transport.DisposeAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
            }

            if (!wrote)
            {
                context.Response.ContentType = null;
                return Results.StatusCode(StatusCodes.Status202Accepted);
            }

            return Results.Empty;
        });
}
