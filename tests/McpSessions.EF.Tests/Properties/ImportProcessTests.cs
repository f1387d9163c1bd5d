using System.Collections;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// Representative malformed files through the real <c>mcp-sessions import</c> process on SQLite: exit code 3, the
/// element and member named, nothing written; the 10 MB file also under a bound on the process's peak memory.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ImportProcessTests(SqliteFixture fixture, ITestOutputHelper output) : IClassFixture<SqliteFixture>, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mcpsessions-import-process-");

    [Fact]
    public async Task A_10_MB_array_whose_last_element_is_invalid_exits_3_naming_it_writes_nothing_and_stays_under_the_memory_bound()
    {
        var connectionString = await MigratedDatabaseAsync();
        var before = await InProcessImport.SnapshotAsync(fixture, connectionString);

        var small = await WriteAsync("small.json", Array(3, last => last["serverUrl"] = "ftp://x.example.com"));
        var baseline = await RunAsync(connectionString, small);
        var count = 0;
        var big = await WriteAsync("big.json", Array(19_500, last => last["serverUrl"] = "ftp://x.example.com", n => count = n));
        var size = new FileInfo(big).Length;
        var result = await RunAsync(connectionString, big);

        output.WriteLine($"{count} elements, {size / 1e6:F1} MB: exit {result.ExitCode}, peak RSS {result.PeakBytes / 1e6:F0} MB, {result.Elapsed.TotalSeconds:F1} s; "
            + $"3 elements: peak RSS {baseline.PeakBytes / 1e6:F0} MB");
        Assert.InRange(size, 10_000_000, 12_000_000);
        Assert.Equal(3, baseline.ExitCode);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"element {count - 1}: serverUrl must be an absolute http or https URI", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, await InProcessImport.SnapshotAsync(fixture, connectionString));

        // The file is read whole (10 MB), parsed one element at a time, and every session is held until all are checked
        // (about 1 KB each as objects): measured here at about 8× the file's size above the tool's own footprint (the
        // peak with 3 elements). 15× allows for the GC's headroom on a loaded machine, and still fails if the import held
        // another copy of the file's parse or of the sessions, or grew with anything but the file.
        Assert.True(result.PeakBytes - baseline.PeakBytes < 15 * size, $"peak {result.PeakBytes / 1e6:F0} MB against {baseline.PeakBytes / 1e6:F0} MB for 3 elements");
    }

    [Fact]
    public async Task Invalid_utf8_truncation_deep_nesting_and_duplicate_ids_exit_3_naming_the_element_and_a_leading_bom_is_read()
    {
        var connectionString = await MigratedDatabaseAsync();
        var before = await InProcessImport.SnapshotAsync(fixture, connectionString);
        var valid = Encoding.UTF8.GetBytes(Array(3).ToJsonString());
        var cases = new (string Name, byte[] Content, string Expected)[]
        {
            ("utf8.json", Replace(Array(3, e => e["serverName"] = "@@X@@"), "@@X@@", [0x61, 0xC3, 0x28, 0xFF]), "element 2: serverName is not valid UTF-8"),
            ("truncated.json", valid[..^40], "element 2: element is not valid JSON"),
            ("deep.json", Replace(Array(3, e => e["tokens"] = "@@X@@"), "\"@@X@@\"", [.. Enumerable.Repeat((byte)'[', 100_000), .. Enumerable.Repeat((byte)']', 100_000)]), "element 2: element is not valid JSON"),
            ("duplicate.json", Encoding.UTF8.GetBytes(Array(3, e => e["sessionId"] = "imported-0").ToJsonString()), "element 2: sessionId repeats the id of session [0]"),
            ("bom-duplicate.json", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Array(3, e => e["sessionId"] = "imported-1").ToJsonString())], "element 2: sessionId repeats the id of session [1]"),
        };

        foreach (var (name, content, expected) in cases)
        {
            var file = Path.Combine(_directory.FullName, name);
            await File.WriteAllBytesAsync(file, content);
            var result = await RunAsync(connectionString, file);
            output.WriteLine($"{name}: exit {result.ExitCode}: {result.StandardError.Trim()}");
            Assert.Equal(3, result.ExitCode);
            Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
            Assert.EndsWith("Nothing was imported.", result.StandardError.Trim(), StringComparison.Ordinal);
            Assert.Equal(before, await InProcessImport.SnapshotAsync(fixture, connectionString));
        }

        // A UTF-8 byte order mark (Windows editors write one) is a signature, not content: the file imports.
        var bom = Path.Combine(_directory.FullName, "bom.json");
        await File.WriteAllBytesAsync(bom, [0xEF, 0xBB, 0xBF, .. valid]);
        var imported = await RunAsync(connectionString, bom);
        Assert.True(imported.ExitCode == 0, imported.StandardError);
        Assert.Contains("Imported 3 session(s)", imported.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>A valid array of <paramref name="count"/> elements; <paramref name="last"/> edits the last one.</summary>
    private static JsonArray Array(int count, Action<JsonObject>? last = null, Action<int>? counted = null)
    {
        var array = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            array.Add(ImportMutation.Element(i));
        }

        last?.Invoke((JsonObject)array[^1]!);
        counted?.Invoke(count);
        return array;
    }

    private static byte[] Replace(JsonArray array, string marker, byte[] bytes)
    {
        var content = Encoding.UTF8.GetBytes(array.ToJsonString());
        var at = content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        return [.. content[..at], .. bytes, .. content[(at + Encoding.UTF8.GetByteCount(marker))..]];
    }

    private async Task<string> WriteAsync(string name, JsonArray array)
    {
        var file = Path.Combine(_directory.FullName, name);
        await File.WriteAllTextAsync(file, array.ToJsonString());
        return file;
    }

    private async Task<string> MigratedDatabaseAsync()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = fixture.BuildServices(connectionString, o => o.AutoMigrate = true, TimeProvider.System);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(TestSessions.New("alice", "kept-1", active: true));
        await store.CreateAsync(TestSessions.New("bob", "imported-0", active: false));
        return connectionString;
    }

    private sealed record Run(int ExitCode, string StandardOutput, string StandardError, long PeakBytes, TimeSpan Elapsed);

    /// <summary>
    /// Runs <c>mcp-sessions import <paramref name="file"/></c> and samples its peak resident set (VmHWM, a high-water mark
    /// the kernel keeps) every 5 ms until it exits: only a peak reached in its last few milliseconds could be missed.
    /// </summary>
    private async Task<Run> RunAsync(string connectionString, string file)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliProcess.Assembly);
        start.ArgumentList.Add("import");
        start.ArgumentList.Add(file);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name.StartsWith("MCP_", StringComparison.Ordinal) || name.StartsWith("STORAGE_", StringComparison.Ordinal) || name is "DATABASE_URL" or "REDIS_URL"
                || name.StartsWith("McpSessions__", StringComparison.Ordinal))
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in fixture.CliEnvironment(connectionString))
        {
            start.Environment[name] = value;
        }

        start.Environment["STORAGE_ENCRYPTION_KEY"] = TestKeys.A;
        start.Environment["HOME"] = _directory.FullName;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var peak = 0L;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakOf(process.Id));
            try
            {
                await Task.Delay(5, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"mcp-sessions import {file} did not finish in 3 minutes");
            }
        }

        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await stdout, await stderr, peak, watch.Elapsed);
    }

    /// <summary>VmHWM of /proc/PID/status in bytes; 0 once the process is gone.</summary>
    private static long PeakOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
