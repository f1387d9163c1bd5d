using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// A redis-server of a test's own, on a free loopback port, that the test may kill (by its pid) and restart on the same
/// port. Never the shared server: killing that would break every other test.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private Process? _process;

    private RedisServerProcess(int port) => Port = port;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public static async Task<RedisServerProcess> StartAsync()
    {
        var server = new RedisServerProcess(LoopbackPorts.Free());
        await server.StartAsync(TimeSpan.FromSeconds(10));
        return server;
    }

    /// <summary>Starts redis-server (again) on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        var start = new ProcessStartInfo(TestServers.RedisServerBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await PingAsync())
        {
            if (_process.HasExited || deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"redis-server did not answer on {Endpoint} (exited: {_process.HasExited}).");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server by its pid (SIGKILL: no goodbye to clients) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        using var killed = Process.GetProcessById(process.Id);
        killed.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
