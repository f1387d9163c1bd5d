using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Tests.ModelContextProtocol;

/// <summary>
/// A web host that uses the library the way the README shows: <c>/connect</c> creates a session and sends the browser
/// to the authorization server, <c>/oauth/callback</c> completes the authorization. The <c>user</c> query parameter
/// stands in for the signed-in user a real host takes from its authentication cookie.
/// </summary>
public sealed class TestWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebHost(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<TestWebHost> StartAsync(Action<IServiceCollection> configureServices, Uri mcpServerUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configureServices(builder.Services);
        var app = builder.Build();

        app.MapGet("/connect", async (string user, HttpRequest request, ISessionStore sessions, IMcpSessionAuthorization authorization) =>
        {
            var session = await sessions.CreateAsync(new McpSession
            {
                SessionId = sessions.GenerateSessionId(),
                Identity = user,
                ServerUrl = mcpServerUrl.ToString(),
                CallbackUrl = $"{request.Scheme}://{request.Host}/oauth/callback",
                TransportType = McpTransportType.StreamableHttp,
            });
            var start = await authorization.BeginAuthorizationAsync(user, session.SessionId);
            return Results.Redirect(start.AuthorizationUrl.ToString());
        });

        app.MapGet("/oauth/callback", async (string state, string code, string? iss, IMcpSessionAuthorization authorization) =>
        {
            try
            {
                var session = await authorization.CompleteAuthorizationAsync(state, code, iss);
                return Results.Text($"connected {session.SessionId}");
            }
            catch (McpAuthorizationException e)
            {
                return Results.Text(e.Error.ToString(), statusCode: StatusCodes.Status400BadRequest);
            }
        });

        await app.StartAsync();
        var host = new TestWebHost(app);
        host.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
