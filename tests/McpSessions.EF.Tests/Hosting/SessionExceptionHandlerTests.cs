using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Tests.Hosting;

/// <summary>
/// <see cref="SessionExceptionHandler"/>, the README's example, in a real Kestrel host on 127.0.0.1 with a SQLite
/// store: each exception the store throws becomes its status and a problem-details body with no secret in it.
/// </summary>
public sealed class SessionExceptionHandlerTests(SqliteFixture sqlite) : IClassFixture<SqliteFixture>
{
    private const string AccessToken = "at-never-in-a-response-3f9c";

    [Fact]
    public async Task Each_store_exception_is_answered_with_its_status_as_problem_details_and_no_secret()
    {
        var connectionString = await sqlite.CreateEmptyDatabaseAsync();
        var logs = new ListLoggerProvider();
        await using var app = await StartAsync(connectionString, logs);
        using var http = new HttpClient { BaseAddress = app.Urls.Select(u => new Uri(u)).Single() };

        // AutoMigrate is off and nobody has migrated yet; migrating from outside lets the next request through.
        var notReady = await http.GetAsync("/sessions/alice");
        await MigrateAsync(connectionString);
        var created = await http.PostAsync("/sessions/alice/s-1?serverUrl=https://mcp.example.com/mcp", null);
        var duplicate = await http.PostAsync("/sessions/alice/s-1?serverUrl=https://mcp.example.com/mcp", null);
        var invalid = await http.PostAsync("/sessions/alice/s-2?serverUrl=ftp://mcp.example.com", null);
        var missing = await http.PostAsync("/sessions/alice/no-such-session/rename?name=x", null);
        var denied = await http.PostAsync("/sessions/alice/s-1/denied", null);
        await CreateUnderAnotherKeyAsync(connectionString, "s-3");
        var undecryptable = await http.GetAsync("/sessions/alice/s-3");
        var ok = await http.GetAsync("/sessions/alice/s-1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("streamable_http", (string)(await ok.Content.ReadFromJsonAsync<JsonObject>())!["transport"]!);
        await AssertProblemAsync(notReady, HttpStatusCode.ServiceUnavailable, detail: null);
        await AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "Session s-1 already exists.");
        await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "ServerUrl must be an absolute http or https URI.");
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, "No live session no-such-session.");
        await AssertProblemAsync(denied, HttpStatusCode.Forbidden, "You may not write session s-1.");
        await AssertProblemAsync(undecryptable, HttpStatusCode.InternalServerError, detail: null);

        // The server's faults are in its log, with the store's own message (which never holds a secret either).
        var errors = logs.Entries.Where(e => e.Category == typeof(SessionExceptionHandler).FullName && e.Level == LogLevel.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Message.Contains(nameof(SessionSchemaNotReadyException), StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("Cannot decrypt column tokens of session s-3", StringComparison.Ordinal));
        Assert.All(logs.Entries, e => Assert.DoesNotContain(AccessToken, e.Message, StringComparison.Ordinal));

        // A database that does not answer (nothing listens on its port): 503, with the cause in the log only.
        var closedPort = LoopbackPorts.Free();
        await using (var down = await StartAsync($"Host=127.0.0.1;Port={closedPort};Username=app;Password=pw-never-logged-9d1e;Timeout=2", logs, SessionStorageProvider.Postgres))
        {
            using var downHttp = new HttpClient { BaseAddress = down.Urls.Select(u => new Uri(u)).Single() };
            await AssertProblemAsync(await downHttp.GetAsync("/sessions/alice"), HttpStatusCode.ServiceUnavailable, detail: null);
        }

        var unreachable = logs.Entries.Where(e => e.Category == typeof(SessionExceptionHandler).FullName && e.Level == LogLevel.Error).Skip(2).ToList();
        var logged = Assert.Single(unreachable);
        Assert.True(logged.Message.Contains($"{nameof(SessionDatabaseUnreachableException)}: The session database (PostgreSQL database 'app' on 127.0.0.1:{closedPort}) is unreachable", StringComparison.Ordinal), logged.Message);
        Assert.DoesNotContain("pw-never-logged-9d1e", logged.Message, StringComparison.Ordinal);

        async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detail)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(body)!;
            Assert.Equal((int)status, (int)problem["status"]!);
            Assert.False(string.IsNullOrEmpty((string?)problem["title"]), body);
            Assert.Equal(detail, (string?)problem["detail"]);
            foreach (var leak in new[] { AccessToken, "enc:", new SqliteConnectionStringBuilder(connectionString).DataSource, "Exception", " at " })
            {
                Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>A host as the README has it: the store (AutoMigrate off), problem details and the handler, and a few endpoints.</summary>
    private static async Task<WebApplication> StartAsync(string connectionString, ILoggerProvider logs, SessionStorageProvider provider = SessionStorageProvider.Sqlite)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddMcpSessions(o =>
        {
            o.Provider = provider;
            o.ConnectionString = connectionString;
            o.Encryption.Key = TestKeys.A;
            o.AutoMigrate = false;
            o.CleanupEnabled = false;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<SessionExceptionHandler>();
        var app = builder.Build();
        app.UseExceptionHandler();

        app.MapGet("/sessions/{identity}", async (string identity, ISessionStore sessions) => await sessions.ListIdsAsync(identity));
        app.MapGet("/sessions/{identity}/{sessionId}", async (string identity, string sessionId, ISessionStore sessions) =>
            await sessions.GetAsync(identity, sessionId) is { } session
                ? Results.Ok(new { session.SessionId, Transport = session.TransportType == McpTransportType.Sse ? "sse" : "streamable_http" })
                : Results.NotFound());
        app.MapPost("/sessions/{identity}/{sessionId}", async (string identity, string sessionId, string serverUrl, ISessionStore sessions) =>
        {
            await sessions.CreateAsync(NewSession(identity, sessionId, serverUrl));
            return Results.Created($"/sessions/{identity}/{sessionId}", null);
        });
        app.MapPost("/sessions/{identity}/{sessionId}/rename", async (string identity, string sessionId, string name, ISessionStore sessions) =>
        {
            await sessions.UpdateAsync(identity, sessionId, new SessionUpdate { ServerName = name });
            return Results.NoContent();
        });

        // Row-level security refuses writes only on PostgreSQL (Supabase); the store throws this exception then.
        app.MapPost("/sessions/{identity}/{sessionId}/denied", (string identity, string sessionId) =>
        {
            throw new SessionAccessDeniedException(identity, sessionId);
        });

        await app.StartAsync();
        return app;
    }

    private static McpSession NewSession(string identity, string sessionId, string serverUrl) => new()
    {
        SessionId = sessionId,
        Identity = identity,
        ServerUrl = serverUrl,
        CallbackUrl = "https://app.example.com/oauth/callback",
        Active = true,
        Tokens = new OAuthTokens { AccessToken = AccessToken, TokenType = "Bearer" },
    };

    private async Task MigrateAsync(string connectionString)
    {
        await using var services = sqlite.BuildServices(connectionString, o => o.AutoMigrate = true, TimeProvider.System);
        await services.GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
    }

    /// <summary>A session written by another deployment with another key: this host's key cannot decrypt its tokens.</summary>
    private async Task CreateUnderAnotherKeyAsync(string connectionString, string sessionId)
    {
        await using var services = sqlite.BuildServices(connectionString, o => o.Encryption.Key = TestKeys.C, TimeProvider.System);
        await services.GetRequiredService<ISessionStore>().CreateAsync(NewSession("alice", sessionId, "https://mcp.example.com/mcp"));
    }
}
