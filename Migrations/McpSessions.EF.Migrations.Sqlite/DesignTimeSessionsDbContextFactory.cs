using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Infrastructure;
using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore.Design;

namespace McpSessions.EF.Migrations.Sqlite;

/// <summary>
/// Used by <c>dotnet ef</c>: <c>MCP_TS_STORAGE_SQLITE_PATH=mcp-sessions.db dotnet ef database update --project Migrations/McpSessions.EF.Migrations.Sqlite</c>.
/// </summary>
public sealed class DesignTimeSessionsDbContextFactory : IDesignTimeDbContextFactory<SessionsDbContext>
{
    /// <inheritdoc />
    public SessionsDbContext CreateDbContext(string[] args) => DesignTimeSessionsContext.Create(SessionStorageProvider.Sqlite);
}
