using System.Diagnostics.Metrics;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Locking;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Operations;

/// <summary>The store's metrics: operations with durations, session counters and lock waits, with no high-cardinality tag.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Operations_sessions_and_lock_waits_are_measured_without_identities_or_session_ids()
    {
        var services = new ServiceCollection().AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Memory;
            o.Encryption.Key = TestKeys.A;
        }).Services;
        var clock = new ManualTimeProvider();
        services.AddSingleton<TimeProvider>(clock);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();

        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Only this provider's meter: other tests run in parallel with meters of the same name.
                if (instrument.Meter.Name == "McpSessions.EF" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        await store.CreateAsync(new McpSession { SessionId = "m-1", Identity = "alice-identity", ServerUrl = "https://x.example/", CallbackUrl = "https://y.example/" });
        await store.CreateAsync(new McpSession { SessionId = "m-2", Identity = "alice-identity", ServerUrl = "https://x.example/", CallbackUrl = "https://y.example/" });
        await store.UpdateAsync("alice-identity", "m-1", new SessionUpdate { Active = true });
        await store.GetAsync("alice-identity", "m-1");
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.TouchAsync("alice-identity", "missing-id"));
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await store.CleanupExpiredAsync());
        await using (await provider.GetRequiredService<ISessionLock>().AcquireAsync("alice-identity", "m-1", TimeSpan.FromSeconds(1)))
        {
        }

        lock (measurements)
        {
            Assert.Equal(2, measurements.Where(m => m.Instrument == "mcp_sessions.sessions.created").Sum(m => m.Value));
            Assert.Equal(1, measurements.Where(m => m.Instrument == "mcp_sessions.sessions.activated").Sum(m => m.Value));
            Assert.Equal(1, measurements.Where(m => m.Instrument == "mcp_sessions.sessions.cleaned_up").Sum(m => m.Value));
            var operations = measurements.Where(m => m.Instrument == "mcp_sessions.operation.duration").ToList();
            Assert.Equal(["cleanup", "create", "create", "get", "touch", "update"], operations.Select(m => (string)m.Tags["mcp_sessions.operation"]!).Order());
            Assert.Equal("SessionNotFoundException", operations.Single(m => (string)m.Tags["mcp_sessions.operation"]! == "touch").Tags["error.type"]);
            Assert.All(operations, m => Assert.True(m.Value >= 0));
            Assert.Equal("acquired", measurements.Single(m => m.Instrument == "mcp_sessions.lock.wait.duration").Tags["mcp_sessions.lock.outcome"]);
            Assert.All(measurements, m => Assert.All(m.Tags.Values, v =>
            {
                Assert.NotEqual("alice-identity", v);
                Assert.DoesNotContain("m-1", v?.ToString() ?? "", StringComparison.Ordinal);
            }));
        }

        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
            }
        }
    }
}
