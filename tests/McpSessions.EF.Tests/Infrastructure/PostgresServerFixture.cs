namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>A <see cref="PostgresServerProcess"/> shared by one test class, whose tests stop and start it one at a time.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public PostgresServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServerProcess.CreateAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
