using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.Tests.ModelContextProtocol;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class McpSdkBridgeSpecification<TFixture>
{
    [Fact]
    public async Task The_database_and_the_logs_hold_no_plaintext_token()
    {
        // Every path that writes OAuth material: the SDK's registration, authorization and refresh; the redirect flow's
        // completed and pending authorizations.
        var (instance, session, client) = await ConnectFirstTimeAsync();
        Clock.Advance(AccessTokenLifetime + TimeSpan.FromSeconds(1));
        await EchoAsync(client, "refresh");
        var web = Track(await TestWebHost.StartAsync(services => ConfigureInstance(services), Server.McpUrl));
        using (var browser = new Browser())
        {
            using var connected = await browser.NavigateAsync(new Uri(web.BaseUrl, "/connect?user=web-user"));
        }

        var pending = await instance.GetRequiredService<IMcpSessionAuthorization>().BeginAuthorizationAsync(session.Identity, session.SessionId);
        Assert.Equal((2, 1), (Server.AuthorizationCodeGrants, Server.RefreshTokenGrants));

        await using var connection = await Fixture.OpenRawAsync(Fixture.ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM mcp_sessions";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var raw = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                if (raw is null)
                {
                    continue;
                }

                if (reader.GetName(i) is "tokens" or "client_information" or "code_verifier" or "headers")
                {
                    Assert.Contains("enc:", raw, StringComparison.Ordinal);
                }

                foreach (var secret in Server.IssuedSecrets.Append(pending.State))
                {
                    Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
                }
            }
        }

        Assert.True(rows >= 3, $"expected the sessions and a pending authorization, found {rows} rows");
        foreach (var entry in Logs.Entries.Where(e => e.Category.StartsWith("McpSessions", StringComparison.Ordinal)))
        {
            foreach (var secret in Server.IssuedSecrets.Append(pending.State))
            {
                Assert.DoesNotContain(secret, entry.Message, StringComparison.Ordinal);
            }
        }
    }
}
