using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Faults;

/// <summary>The crash and race tests' own databases, and a fresh store's view of them (as after a restart).</summary>
internal static class FaultDatabase
{
    /// <summary>A new database of the fixture's provider, with the schema.</summary>
    public static async Task<string> MigratedDatabaseAsync(this SessionStoreFixture fixture)
    {
        var db = await fixture.CreateEmptyDatabaseAsync();
        await using var services = fixture.BuildServices(db, o => o.AutoMigrate = true, TimeProvider.System);
        await services.GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
        return db;
    }

    /// <summary>Every row, in any state, read by a fresh store with the ring {<paramref name="key"/>, <paramref name="old"/>}: a row it cannot decrypt fails.</summary>
    public static async Task<Dictionary<string, McpSession>> ReadAllAsync(this SessionStoreFixture fixture, string db, string key, string? old = null)
    {
        await using var services = fixture.BuildServices(
            db,
            o =>
            {
                o.Encryption.Key = key;
                if (old is not null)
                {
                    o.Encryption.OldKeys.Add(old);
                }
            },
            TimeProvider.System);
        var rows = new Dictionary<string, McpSession>();
        await foreach (var session in services.GetRequiredService<ISessionAdmin>().ExportAsync())
        {
            rows.Add(session.SessionId, session);
        }

        return rows;
    }
}
