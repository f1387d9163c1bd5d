using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpSessions.EF.Soak;

/// <summary>
/// What each process tells the others: per session it owns, its last acknowledged writes and when each returned, in
/// <c>ledger-{id}.json</c>, rewritten every half second. A reader's copy is at most that old, which can only make its
/// staleness checks more lenient (a write it does not know of yet cannot make a read count as stale).
/// </summary>
internal sealed class Ledger(string directory, int id, ConcurrentDictionary<string, OwnedSession> mine, TimeProvider clock)
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
    private readonly Dictionary<string, DateTime> _read = [];
    private Entry[] _others = [];

    /// <summary>The other processes' sessions, as last read.</summary>
    public Entry[] Other() => Volatile.Read(ref _others);

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Publish();
            ReadOthers();
            try
            {
                await Task.Delay(Period, clock, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void Publish()
    {
        var entries = mine.Values
            .Select(s => new Entry { Identity = s.Identity, SessionId = s.SessionId, History = [.. s.History().Select(a => new[] { a.Number, a.AtMs, a.Delete ? 1 : 0 })] })
            .Where(e => e.History.Length > 0)
            .ToArray();
        var path = Path.Combine(directory, $"ledger-{id}.json");
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(entries));
        File.Move(temporary, path, overwrite: true);
    }

    private void ReadOthers()
    {
        var changed = false;
        var files = Directory.GetFiles(directory, "ledger-*.json").Where(f => Path.GetFileName(f) != $"ledger-{id}.json").ToList();
        foreach (var file in files)
        {
            var written = File.GetLastWriteTimeUtc(file);
            if (!_read.TryGetValue(file, out var seen) || seen != written)
            {
                _read[file] = written;
                changed = true;
            }
        }

        if (!changed)
        {
            return;
        }

        var others = new List<Entry>();
        foreach (var file in files)
        {
            others.AddRange(JsonSerializer.Deserialize<Entry[]>(File.ReadAllBytes(file)) ?? []);
        }

        Volatile.Write(ref _others, [.. others]);
    }

    internal sealed class Entry
    {
        [JsonPropertyName("i")] public string Identity { get; set; } = "";

        [JsonPropertyName("s")] public string SessionId { get; set; } = "";

        /// <summary>[number, acknowledged at (Unix ms), 1 for a delete].</summary>
        [JsonPropertyName("h")] public long[][] History { get; set; } = [];

        /// <summary>The process that owns it, from its identity (<c>soak-p{id}-t{task}</c>).</summary>
        public int Writer => int.Parse(Identity.Split('-')[1][1..], System.Globalization.CultureInfo.InvariantCulture);

        public IEnumerable<OwnedSession.Ack> Acks() => History.Select(h => new OwnedSession.Ack(h[0], h[1], h[2] == 1));
    }
}
