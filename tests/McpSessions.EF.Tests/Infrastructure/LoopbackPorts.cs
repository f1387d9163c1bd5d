using System.Net;
using System.Net.Sockets;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Loopback ports for the servers the tests start themselves, and for "nothing listens here".</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listened on a moment ago (the system's pick for an ephemeral bind).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
