using System.Diagnostics;
using System.Text;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// A real process the crash and race tests start, talk to over stdin, read line by line (each line with when it
/// arrived) and kill with SIGKILL (<see cref="Process.Kill()"/>), never a graceful stop.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _errors = new();
    private readonly Task _exited;

    private ChildProcess(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _clock = Stopwatch.StartNew();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _exited = StampExitAsync();
    }

    /// <summary>When the process ended, from its start (while it runs: <see cref="TimeSpan.MaxValue"/>).</summary>
    public TimeSpan EndedAt { get; private set; } = TimeSpan.MaxValue;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public bool HasExited => _exited.IsCompleted;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>What it printed on stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Runs <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>.</summary>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static ChildProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = ProcessRunner.StartInfo("dotnet", [assembly, .. arguments], workingDirectory, environment);
        return new ChildProcess(start);
    }

    /// <summary>The lines read from stdout so far.</summary>
    public IReadOnlyList<string> Lines()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits, polling, until a line matches; fails naming what was printed if none does in time or the process ends first.</summary>
    public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!Lines().Any(match))
        {
            if (HasExited && !Lines().Any(match))
            {
                Assert.Fail($"the process ended (exit {ExitCode}) before {what}.\n{Describe()}");
            }

            if (deadline.Elapsed > timeout)
            {
                Assert.Fail($"no {what} within {timeout.TotalSeconds} s.\n{Describe()}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Kills the process with SIGKILL now, unless it ended by itself first, and waits for it to end. Returns whether the
    /// kill happened (false: it had ended) and the lines it had printed when it was killed.
    /// </summary>
    public async Task<(bool Killed, IReadOnlyList<string> LinesBeforeKill)> KillAsync()
    {
        var seen = Lines();
        if (!HasExited)
        {
            try
            {
                _process.Kill();
                await WaitForExitAsync(TimeSpan.FromSeconds(30));
                return (true, seen);
            }
            catch (InvalidOperationException)
            {
                // It ended between the check and the kill.
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (false, Lines());
    }

    /// <summary>Waits for the process to end; kills it and fails if it does not in time.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        if (await Task.WhenAny(_exited, Task.Delay(timeout)) != _exited)
        {
            _process.Kill();
            Assert.Fail($"the process did not end within {timeout.TotalSeconds} s.\n{Describe()}");
        }

        // The exit is in; the last lines may still be on their way through the reader: this waits for them.
        _process.WaitForExit();
    }

    private async Task StampExitAsync()
    {
        await _process.WaitForExitAsync();
        EndedAt = _clock.Elapsed;
    }

    public string Describe() => $"--- stdout ---\n{string.Join('\n', Lines().TakeLast(40))}\n--- stderr ---\n{StandardError}";

    public void Dispose()
    {
        if (!HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
