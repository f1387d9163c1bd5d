using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// Runs one FsCheck property for a test: a fixed number of cases, sequentially (each case is a real database
/// round trip), on a thread-pool thread so the synchronous FsCheck runner never blocks xunit's context. A failure is
/// FsCheck's own report (the seed, the original and the shrunk counterexample, the exception) plus the variable that
/// replays exactly that run.
/// </summary>
public static class PropertyRun
{
    /// <summary>Set to FsCheck's "(seed,gamma)" of a failed run to generate exactly the same cases again.</summary>
    public const string ReplayVariable = "MCPSESSIONS_PROPS_REPLAY";

    public static async Task CheckAsync<T>(string name, Arbitrary<T> cases, Action<T> property, int count, ITestOutputHelper output)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true).WithName(name);
        var replay = Environment.GetEnvironmentVariable(ReplayVariable);
        if (!string.IsNullOrWhiteSpace(replay))
        {
            var parts = replay.Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries);
            config = config.WithReplay(ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture));
            output.WriteLine($"{name}: replaying {ReplayVariable}={replay}");
        }

        var watch = Stopwatch.StartNew();
        try
        {
            await Task.Run(() => Check.One(config, Prop.ForAll(cases, property)));
        }
        catch (Exception e) when (e.Message.Contains("Falsifiable", StringComparison.Ordinal))
        {
            output.WriteLine(e.Message);
            throw new PropertyFailedException(
                $"{name} failed; replay it with {ReplayVariable}=\"seed,gamma\" from the first line below.{Environment.NewLine}{e.Message}", e);
        }

        output.WriteLine($"{name}: {count} cases passed in {watch.Elapsed.TotalSeconds:F1} s");
    }
}

/// <summary>A property that FsCheck falsified; the message is its report.</summary>
public sealed class PropertyFailedException(string message, Exception inner) : Exception(message, inner);
