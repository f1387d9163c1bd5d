using System.Net;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.ModelContextProtocol.TokenCache;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class McpSdkBridgeSpecification<TFixture>
{
    [Fact]
    public async Task The_sdk_client_configured_by_the_factory_completes_oauth_and_calls_the_tool()
    {
        var (_, session, _) = await ConnectFirstTimeAsync();

        Assert.Equal((1, 1, 1), (Server.Registrations, Server.Authorizations, Server.AuthorizationCodeGrants));
        var stored = await StoredAsync(session);
        Assert.True(stored.Active);
        Assert.Contains(stored.Tokens!.RefreshToken, Server.LiveRefreshTokens);
        Assert.Equal(Server.Issuer, StoredTokens.AuthorizationServer(stored.ClientInformation));

        // The dynamic client registration is persisted: client, secret, method and the registered redirect URI.
        var client = stored.ClientInformation!;
        Assert.StartsWith("client-", client.ClientId, StringComparison.Ordinal);
        Assert.Equal(client.ClientId, stored.ClientId);
        Assert.Contains(client.ClientSecret, Server.IssuedSecrets);
        Assert.Equal("client_secret_post", client.TokenEndpointAuthMethod);
        Assert.Equal([session.CallbackUrl], client.RedirectUris);
        var obtainedAt = StoredTokens.ObtainedAt(stored.Tokens)!.Value;
        Assert.InRange(obtainedAt, Clock.GetUtcNow().AddSeconds(-5), Clock.GetUtcNow().AddSeconds(5));
    }

    [Fact]
    public async Task A_brand_new_service_provider_reconnects_from_the_database_without_authorizing_again()
    {
        var (_, session, _) = await ConnectFirstTimeAsync();

        var restarted = NewInstance();
        var client = await ConnectAsync(restarted, session);

        Assert.Equal("echo: again", await EchoAsync(client, "again"));
        Assert.Equal((1, 1, 1), (Server.Registrations, Server.Authorizations, Server.AuthorizationCodeGrants));
        Assert.Equal(0, Server.RefreshTokenGrants);
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_and_the_rotated_refresh_token_persisted()
    {
        var (_, session, client) = await ConnectFirstTimeAsync();
        var before = (await StoredAsync(session)).Tokens!;

        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal("echo: later", await EchoAsync(client, "later"));

        Assert.Equal(1, Server.RefreshTokenGrants);
        Assert.Equal(1, Server.Authorizations);
        var after = (await StoredAsync(session)).Tokens!;
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.NotEqual(before.RefreshToken, after.RefreshToken);
        Assert.Equal([after.RefreshToken!], Server.LiveRefreshTokens);

        // The old refresh token worked once and is refused now.
        var registration = (await StoredAsync(session)).ClientInformation!;
        using var replay = await Server.RefreshAsync(registration.ClientId!, registration.ClientSecret!, before.RefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("invalid_grant", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refresh_response_without_a_refresh_token_keeps_the_stored_one()
    {
        var (_, session, client) = await ConnectFirstTimeAsync();
        var before = (await StoredAsync(session)).Tokens!;
        Server.RotatesRefreshTokens = false;

        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal("echo: later", await EchoAsync(client, "later"));

        var after = (await StoredAsync(session)).Tokens!;
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.Equal(before.RefreshToken, after.RefreshToken);

        // The kept refresh token is the one that works next time, on a restarted instance too.
        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal("echo: restarted", await EchoAsync(await ConnectAsync(NewInstance(), session), "restarted"));
        Assert.Equal((2, 0, 1), (Server.RefreshTokenGrants, Server.RefusedRefreshTokenGrants, Server.Authorizations));
        Assert.Equal(before.RefreshToken, (await StoredAsync(session)).Tokens!.RefreshToken);
    }

    [Fact]
    public async Task Refreshes_ask_for_the_resource_the_metadata_names_even_where_it_is_not_the_endpoint_url()
    {
        // RFC 9728 lets the resource differ from the endpoint; here only by a trailing slash, which is kept. The server
        // refuses a grant for any other spelling, so the code grant (the SDK's and the redirect flow's) and both
        // refresh paths (the silent one on expiry, and the one after a 401 on a restarted instance) must all name it.
        Server.Resource = Server.McpUrl + "/";
        var (_, session, client) = await ConnectFirstTimeAsync();

        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal("echo: silent", await EchoAsync(client, "silent"));
        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal("echo: challenged", await EchoAsync(await ConnectAsync(NewInstance(), session), "challenged"));

        var redirected = await CreateSessionAsync(NewInstance());
        var start = await NewInstance().GetRequiredService<IMcpSessionAuthorization>().BeginAuthorizationAsync(redirected.Identity, redirected.SessionId);
        Assert.Equal(Server.Resource, QueryHelpers.ParseQuery(start.AuthorizationUrl.Query)["resource"]);

        Assert.Equal((2, 0, 1), (Server.RefreshTokenGrants, Server.RefusedRefreshTokenGrants, Server.Authorizations));
    }

    [Fact]
    public async Task Two_instances_that_hit_expiry_at_once_refresh_exactly_once()
    {
        var (_, session, first) = await ConnectFirstTimeAsync();
        var second = await ConnectAsync(NewInstance(), session);
        Assert.Equal("echo: second", await EchoAsync(second, "second"));

        for (var round = 1; round <= 3; round++)
        {
            Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
            var calls = await Task.WhenAll(EchoAsync(first, "a"), EchoAsync(second, "b"), EchoAsync(first, "c"), EchoAsync(second, "d"));

            Assert.Equal(["echo: a", "echo: b", "echo: c", "echo: d"], calls);
            Assert.Equal(round, Server.RefreshTokenGrants);
        }

        Assert.Equal(0, Server.RefusedRefreshTokenGrants);
        Assert.Equal(1, Server.Authorizations);
        Assert.Equal([(await StoredAsync(session)).Tokens!.RefreshToken!], Server.LiveRefreshTokens);
    }
}
