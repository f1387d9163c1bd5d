using McpSessions.EF.Locking;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// Hostile strings (<see cref="HostileString"/>) in every string parameter of <see cref="ISessionStore"/>,
/// <see cref="ISessionAdmin"/> and <see cref="ISessionLock"/>, and in every string member of <see cref="McpSession"/>
/// and <see cref="SessionUpdate"/> (and the string members of the OAuth objects): each call either refuses the input
/// with a <see cref="SessionValidationException"/> (a <see cref="SessionImportException"/> for an import) that names
/// the field, or gives the correct result, and a round trip returns exactly what was stored. Never a database error,
/// never another exception. Each generated string goes through every entry point; run per provider by subclassing.
/// </summary>
public abstract class HostileInputSpecification<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    public const int Strings = 60;

    private const string Alice = "alice";
    private const string Base = "base-1";

    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private ServiceProvider _services = null!;

    protected TFixture Fixture { get; } = fixture;

    private ISessionStore Store => _services.GetRequiredService<ISessionStore>();

    private ISessionAdmin Admin => _services.GetRequiredService<ISessionAdmin>();

    private ISessionLock Lock => _services.GetRequiredService<ISessionLock>();

    public async Task InitializeAsync()
    {
        await Fixture.Store.ClearAllAsync();
        _services = Fixture.BuildServices(Fixture.ConnectionString);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>One entry point and one string in it: the call, and what it must do when the string is accepted.</summary>
    private sealed record EntryPoint(string Name, string Field, Func<string, Task> Call);

    [Fact]
    public async Task Hostile_strings_at_every_entry_point_are_refused_naming_the_field_or_round_trip_exactly()
    {
        var entries = EntryPoints();
        await PropertyRun.CheckAsync(
            GetType().Name,
            HostileString.Arbitrary(),
            hostile => RunAsync(entries, hostile.Value).GetAwaiter().GetResult(),
            Strings,
            output);

        output.WriteLine($"{entries.Count} entry points × {Strings} strings; outcomes: {string.Join(", ", _outcomes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        Assert.True(_outcomes.GetValueOrDefault("refused") > 0 && _outcomes.GetValueOrDefault("accepted") > 0, "the strings were all refused or all accepted");
    }

    private async Task RunAsync(IReadOnlyList<EntryPoint> entries, string hostile)
    {
        var failures = new List<string>();
        foreach (var entry in entries)
        {
            await Store.ClearAllAsync();
            await Store.CreateAsync(Valid(Alice, Base));
            try
            {
                await entry.Call(hostile);
                _outcomes["accepted"] = _outcomes.GetValueOrDefault("accepted") + 1;
            }
            catch (SessionImportException e) when (e.Field == entry.Field)
            {
                _outcomes["refused"] = _outcomes.GetValueOrDefault("refused") + 1;
            }
            catch (SessionValidationException e) when (e.Field == entry.Field)
            {
                _outcomes["refused"] = _outcomes.GetValueOrDefault("refused") + 1;
            }
            catch (Exception e)
            {
                failures.Add(e is HostileInputException ? $"{entry.Name}: {e.Message}" : $"{entry.Name}: threw {e.GetType().FullName}: {e.Message.Split('\n')[0]}");
            }
        }

        if (failures.Count > 0)
        {
            throw new HostileInputException($"units [{HostileString.Units(hostile)}]:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failures)}");
        }
    }

    private List<EntryPoint> EntryPoints()
    {
        var entries = new List<EntryPoint>();

        // CreateAsync: every string member of the session, then every read of it back.
        void Create(string member, Action<McpSession, string> set, Func<McpSession, string?> get, string? field = null) =>
            entries.Add(new($"CreateAsync({member})", field ?? member, async s =>
            {
                var session = Valid("bob", "created-1");
                set(session, s);
                await Store.CreateAsync(session);
                var read = await Store.GetAsync(session.Identity, session.SessionId);
                Same(s, read is null ? null : get(read), $"{member} read back");
                var listed = await Store.ListAsync(session.Identity);
                Same(s, listed.Count == 1 ? get(listed[0]) : $"{listed.Count} sessions", $"{member} listed");
                Equal([session.SessionId], await Store.ListIdsAsync(session.Identity), "the ids listed");
                var found = await Admin.FindAsync(session.Identity, session.SessionId);
                Same(s, found is null ? null : get(found), $"{member} found by the admin");
                await Store.TouchAsync(session.Identity, session.SessionId);
                await using (await Lock.AcquireAsync(session.Identity, session.SessionId, TimeSpan.FromSeconds(10)))
                {
                }

                Equal([Base], await Store.ListIdsAsync(Alice), "alice's ids, untouched");
                Check(await Store.DeleteAsync(session.Identity, session.SessionId), "the delete removes it");
            }));

        Create(nameof(McpSession.SessionId), (m, s) => m.SessionId = s, m => m.SessionId);
        Create(nameof(McpSession.Identity), (m, s) => m.Identity = s, m => m.Identity);
        Create(nameof(McpSession.UserId), (m, s) => m.UserId = s, m => m.UserId == m.Identity ? "" : m.UserId);
        Create(nameof(McpSession.ServerId), (m, s) => m.ServerId = s, m => m.ServerId);
        Create(nameof(McpSession.ServerName), (m, s) => m.ServerName = s, m => m.ServerName);
        Create(nameof(McpSession.ServerUrl), (m, s) => m.ServerUrl = s, m => m.ServerUrl);
        Create("ServerUrl path", (m, s) => m.ServerUrl = "https://mcp.example.com/" + s, m => m.ServerUrl[24..], nameof(McpSession.ServerUrl));
        Create(nameof(McpSession.CallbackUrl), (m, s) => m.CallbackUrl = "myapp://cb/" + s, m => m.CallbackUrl[11..]);
        Create(nameof(McpSession.CodeVerifier), (m, s) => m.CodeVerifier = s, m => m.CodeVerifier);
        Create(nameof(McpSession.ClientId), (m, s) => m.ClientId = s, m => m.ClientId);
        Create(nameof(McpSession.Headers), (m, s) => m.Headers = new() { [s] = "v" }, m => m.Headers?.Keys.Single());
        Create("Headers value", (m, s) => m.Headers = new() { ["X-Test"] = s }, m => m.Headers?["X-Test"], nameof(McpSession.Headers));
        Create("Tokens.AccessToken", (m, s) => m.Tokens = new() { AccessToken = s, TokenType = "Bearer", Scope = s }, m => m.Tokens?.AccessToken, nameof(McpSession.Tokens));
        Create("ClientInformation.ClientName", (m, s) => m.ClientInformation = new() { ClientId = "c", ClientName = s, RedirectUris = [s] }, m => m.ClientInformation?.ClientName, nameof(McpSession.ClientInformation));

        // UpdateAsync: the key, then every member of SessionUpdate, read back.
        entries.Add(new("UpdateAsync(identity)", "identity", s => NotFound(() => Store.UpdateAsync(s, Base, new SessionUpdate { ServerName = "x" }))));
        entries.Add(new("UpdateAsync(sessionId)", "sessionId", s => NotFound(() => Store.UpdateAsync(Alice, s, new SessionUpdate { ServerName = "x" }))));

        void Update(string member, Action<SessionUpdate, string> set, Func<McpSession, string?> get, string? field = null) =>
            entries.Add(new($"UpdateAsync({member})", field ?? member, async s =>
            {
                var update = new SessionUpdate();
                set(update, s);
                await Store.UpdateAsync(Alice, Base, update);
                var read = await Store.GetAsync(Alice, Base);
                Same(s, read is null ? null : get(read), $"{member} read back");
            }));

        Update(nameof(SessionUpdate.UserId), (u, s) => u.UserId = s, m => m.UserId);
        Update(nameof(SessionUpdate.ServerId), (u, s) => u.ServerId = s, m => m.ServerId);
        Update(nameof(SessionUpdate.ServerName), (u, s) => u.ServerName = s, m => m.ServerName);
        Update(nameof(SessionUpdate.ServerUrl), (u, s) => u.ServerUrl = s, m => m.ServerUrl);
        Update(nameof(SessionUpdate.CallbackUrl), (u, s) => u.CallbackUrl = "myapp://cb/" + s, m => m.CallbackUrl[11..]);
        Update(nameof(SessionUpdate.CodeVerifier), (u, s) => u.CodeVerifier = s, m => m.CodeVerifier);
        Update(nameof(SessionUpdate.ClientId), (u, s) => u.ClientId = s, m => m.ClientId);
        Update("Headers value", (u, s) => u.Headers = new() { ["X-Test"] = s }, m => m.Headers?["X-Test"], nameof(SessionUpdate.Headers));
        Update("Tokens.RefreshToken", (u, s) => u.Tokens = new() { AccessToken = "a", RefreshToken = s }, m => m.Tokens?.RefreshToken, nameof(SessionUpdate.Tokens));

        // The other calls by key: the hostile string names no session, so they find none, and alice's stays.
        entries.Add(new("TouchAsync(identity)", "identity", s => NotFound(() => Store.TouchAsync(s, Base))));
        entries.Add(new("TouchAsync(sessionId)", "sessionId", s => NotFound(() => Store.TouchAsync(Alice, s))));
        entries.Add(new("GetAsync(identity)", "identity", async s => Check(await Store.GetAsync(s, Base) is null, "nothing is found")));
        entries.Add(new("GetAsync(sessionId)", "sessionId", async s => Check(await Store.GetAsync(Alice, s) is null, "nothing is found")));
        entries.Add(new("ListAsync(identity)", "identity", async s => Check((await Store.ListAsync(s)).Count == 0, "nothing is listed")));
        entries.Add(new("ListIdsAsync(identity)", "identity", async s => Check((await Store.ListIdsAsync(s)).Count == 0, "nothing is listed")));
        entries.Add(new("DeleteAsync(identity)", "identity", async s =>
        {
            Check(!await Store.DeleteAsync(s, Base), "nothing is deleted");
            Check(await Store.GetAsync(Alice, Base) is not null, "alice's session is still there");
        }));
        entries.Add(new("DeleteAsync(sessionId)", "sessionId", async s =>
        {
            Check(!await Store.DeleteAsync(Alice, s), "nothing is deleted");
            Check(await Store.GetAsync(Alice, Base) is not null, "alice's session is still there");
        }));
        entries.Add(new("ISessionLock.AcquireAsync(identity)", "identity", async s => await (await Lock.AcquireAsync(s, Base, TimeSpan.FromSeconds(10))).DisposeAsync()));
        entries.Add(new("ISessionLock.AcquireAsync(sessionId)", "sessionId", async s => await (await Lock.AcquireAsync(Alice, s, TimeSpan.FromSeconds(10))).DisposeAsync()));

        // The admin: listing and finding by a hostile key, and importing sessions with a hostile member.
        entries.Add(new("ISessionAdmin.ListAsync(identity)", "identity", async s =>
        {
            await foreach (var summary in Admin.ListAsync(s, includeNotLive: true))
            {
                throw new HostileInputException($"listed {summary.SessionId} of {summary.Identity}");
            }
        }));
        entries.Add(new("ISessionAdmin.FindAsync(identity)", "identity", async s => Check(await Admin.FindAsync(s, Base) is null, "nothing is found")));
        entries.Add(new("ISessionAdmin.FindAsync(sessionId)", "sessionId", async s => Check(await Admin.FindAsync(Alice, s) is null, "nothing is found")));

        void Import(string member, Action<McpSession, string> set, Func<McpSession, string?> get) =>
            entries.Add(new($"ISessionAdmin.ImportAsync({member})", member, async s =>
            {
                var session = Valid("bob", "imported-1");
                set(session, s);
                await Admin.ImportAsync([Valid("bob", "imported-0"), session]);
                var found = await Admin.FindAsync(session.Identity, session.SessionId);
                Same(s, found is null ? null : get(found), $"{member} imported");
            }));

        Import(nameof(McpSession.SessionId), (m, s) => m.SessionId = s, m => m.SessionId);
        Import(nameof(McpSession.Identity), (m, s) => m.Identity = s, m => m.Identity);
        Import(nameof(McpSession.ServerName), (m, s) => m.ServerName = s, m => m.ServerName);
        Import(nameof(McpSession.CodeVerifier), (m, s) => m.CodeVerifier = s, m => m.CodeVerifier);
        Import(nameof(McpSession.ClientId), (m, s) => m.ClientId = s, m => m.ClientId);
        return entries;
    }

    private static McpSession Valid(string identity, string sessionId) => new()
    {
        SessionId = sessionId,
        Identity = identity,
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/oauth/callback",
        Tokens = new OAuthTokens { AccessToken = "access", TokenType = "Bearer" },
        Headers = new() { ["X-Api-Key"] = "key" },
    };

    private static async Task NotFound(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (SessionNotFoundException)
        {
            return;
        }

        throw new HostileInputException("expected SessionNotFoundException, the call returned normally");
    }

    private static void Same(string expected, string? actual, string what)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new HostileInputException($"{what}: stored [{HostileString.Units(expected)}], read [{(actual is null ? "null" : HostileString.Units(actual))}]");
        }
    }

    private static void Equal(IEnumerable<string> expected, IEnumerable<string> actual, string what) =>
        Check(expected.SequenceEqual(actual, StringComparer.Ordinal), $"{what}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new HostileInputException(what);
        }
    }

    private sealed class HostileInputException(string message) : Exception(message);

}
