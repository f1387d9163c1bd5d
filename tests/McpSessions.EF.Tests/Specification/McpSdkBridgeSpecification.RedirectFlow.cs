using System.Net;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.ModelContextProtocol.TokenCache;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.ModelContextProtocol;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class McpSdkBridgeSpecification<TFixture>
{
    [Fact]
    public async Task The_redirect_flow_driven_by_a_browser_ends_active_and_a_replayed_state_is_refused()
    {
        var web = Track(await TestWebHost.StartAsync(services => ConfigureInstance(services), Server.McpUrl));
        var identity = $"user-{Guid.NewGuid():N}";
        using var browser = new Browser();

        using var connected = await browser.NavigateAsync(new Uri(web.BaseUrl, $"/connect?user={identity}"));

        Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        Assert.Equal(["/connect", "/authorize", "/oauth/callback"], browser.Visited.Select(u => u.AbsolutePath));
        var sessionId = (await connected.Content.ReadAsStringAsync())["connected ".Length..];
        var session = (await Store.GetAsync(identity, sessionId))!;
        Assert.True(session.Active);
        Assert.Contains(session.Tokens!.AccessToken, Server.IssuedSecrets);
        Assert.Contains(session.Tokens.RefreshToken, Server.LiveRefreshTokens);
        Assert.Equal(Server.Issuer, StoredTokens.AuthorizationServer(session.ClientInformation));
        Assert.True(session.ClientInformation!.AdditionalProperties!.ContainsKey("registration_note"), "the registration response round-trips");
        Assert.Null(session.CodeVerifier);

        using var replayed = await browser.NavigateAsync(browser.Visited[^1]);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal(nameof(McpAuthorizationError.UnknownState), await replayed.Content.ReadAsStringAsync());
        Assert.Equal(1, Server.AuthorizationCodeGrants);

        // What the flow stored is what the SDK needs: it connects without authorizing, and refreshes on expiry.
        var client = await ConnectAsync(NewInstance(), session);
        Assert.Equal("echo: web", await EchoAsync(client, "web"));
        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal("echo: refreshed", await EchoAsync(client, "refreshed"));
        Assert.Equal((1, 1, 1), (Server.Authorizations, Server.AuthorizationCodeGrants, Server.RefreshTokenGrants));
    }

    [Fact]
    public async Task Two_callbacks_racing_with_one_state_complete_it_exactly_once()
    {
        var first = NewInstance();
        var second = NewInstance();
        var session = await CreateSessionAsync(first);
        var response = await AuthorizeAsync(first, session);

        var outcomes = await Task.WhenAll(
            Outcome(first.GetRequiredService<IMcpSessionAuthorization>().CompleteAuthorizationAsync(response.State, response.Code, response.Iss)),
            Outcome(second.GetRequiredService<IMcpSessionAuthorization>().CompleteAuthorizationAsync(response.State, response.Code, response.Iss)));

        Assert.Single(outcomes, o => o is McpSession { Active: true });
        Assert.Equal(McpAuthorizationError.UnknownState, Assert.IsType<McpAuthorizationException>(Assert.Single(outcomes, o => o is Exception)).Error);
        Assert.Equal(1, Server.AuthorizationCodeGrants);
        Assert.True((await StoredAsync(session)).Active);
    }

    [Fact]
    public async Task A_response_from_another_issuer_is_refused_and_consumes_the_state()
    {
        var instance = NewInstance();
        var authorization = instance.GetRequiredService<IMcpSessionAuthorization>();
        var session = await CreateSessionAsync(instance);
        var response = await AuthorizeAsync(instance, session);

        var mixedUp = await Assert.ThrowsAsync<McpAuthorizationException>(() => authorization.CompleteAuthorizationAsync(response.State, response.Code, "https://evil.example"));
        var missing = await Assert.ThrowsAsync<McpAuthorizationException>(() => authorization.CompleteAuthorizationAsync(response.State, response.Code, response.Iss));

        Assert.Equal(McpAuthorizationError.IssuerMismatch, mixedUp.Error);
        Assert.Equal(McpAuthorizationError.UnknownState, missing.Error);
        Assert.Equal(0, Server.AuthorizationCodeGrants);
        Assert.False((await StoredAsync(session)).Active);
    }

    [Fact]
    public async Task A_state_past_the_pending_window_is_refused()
    {
        var instance = NewInstance();
        var session = await CreateSessionAsync(instance);
        var response = await AuthorizeAsync(instance, session);

        Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<McpAuthorizationException>(
            () => instance.GetRequiredService<IMcpSessionAuthorization>().CompleteAuthorizationAsync(response.State, response.Code, response.Iss));

        Assert.Equal(McpAuthorizationError.UnknownState, error.Error);
        Assert.Equal(0, Server.AuthorizationCodeGrants);
    }

    [Fact]
    public async Task Reauthorizing_reuses_the_registration_and_an_abandoned_attempt_leaves_the_session_as_it_was()
    {
        var (instance, session, _) = await ConnectFirstTimeAsync();
        var before = await StoredAsync(session);

        var start = await instance.GetRequiredService<IMcpSessionAuthorization>().BeginAuthorizationAsync(session.Identity, session.SessionId);
        Clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(before.ClientId, QueryHelpers.ParseQuery(start.AuthorizationUrl.Query)["client_id"]);
        Assert.Equal(1, Server.Registrations);
        var after = await StoredAsync(session);
        Assert.True(after.Active);
        Assert.Equal(before.Tokens!.AccessToken, after.Tokens!.AccessToken);
    }

    [Fact]
    public async Task Beginning_for_a_missing_session_or_completing_an_unknown_state_fails_clearly()
    {
        var authorization = NewInstance().GetRequiredService<IMcpSessionAuthorization>();

        await Assert.ThrowsAsync<SessionNotFoundException>(() => authorization.BeginAuthorizationAsync("nobody", "no-such-session"));
        var unknown = await Assert.ThrowsAsync<McpAuthorizationException>(() => authorization.CompleteAuthorizationAsync("made-up-state", "made-up-code"));
        Assert.Equal(McpAuthorizationError.UnknownState, unknown.Error);
        Assert.Equal("state", (await Assert.ThrowsAsync<SessionValidationException>(() => authorization.CompleteAuthorizationAsync("", "code"))).Field);
    }

    /// <summary>Begins an authorization and approves it at the server, as the browser would, without the callback.</summary>
    private static async Task<(string State, string Code, string Iss)> AuthorizeAsync(IServiceProvider instance, McpSession session)
    {
        var start = await instance.GetRequiredService<IMcpSessionAuthorization>().BeginAuthorizationAsync(session.Identity, session.SessionId);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var approved = await http.GetAsync(start.AuthorizationUrl);
        var query = QueryHelpers.ParseQuery(approved.Headers.Location!.Query);
        Assert.Equal(start.State, query["state"]);
        return (query["state"]!, query["code"]!, query["iss"]!);
    }

    private static async Task<object> Outcome(Task<McpSession> completion)
    {
        try
        {
            return await completion;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
