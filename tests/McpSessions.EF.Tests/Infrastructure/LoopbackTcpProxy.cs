using System.Net;
using System.Net.Sockets;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on a free loopback port to <c>host:port</c>, so a test can give one client its own way to a shared
/// server and cut exactly that way (<see cref="CutAsync"/>): the listener closes and every forwarded connection is
/// dropped, so the client's reconnects are refused while every other client of the server carries on.
/// </summary>
public sealed class LoopbackTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    private LoopbackTcpProxy(string target)
    {
        var colon = target.LastIndexOf(':');
        (_targetHost, _targetPort) = (target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect: <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Starts forwarding to <paramref name="target"/> (<c>host:port</c>).</summary>
    public static LoopbackTcpProxy Start(string target) => new(target);

    /// <summary>Stops accepting and drops every connection: the client behind this proxy is cut off from the server.</summary>
    public async Task CutAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the listener was stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CutAsync();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_connections)
            {
                if (_stop.IsCancellationRequested)
                {
                    client.Dispose();
                    server.Dispose();
                    return;
                }

                _connections.Add(client);
                _connections.Add(server);
            }

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    /// <summary>Copies one direction until either side closes, then closes both.</summary>
    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // one side went away, or the proxy was cut
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
