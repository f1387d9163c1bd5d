using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Infrastructure;
using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore.Design;

namespace McpSessions.EF.Migrations.Postgres;

/// <summary>
/// Used by <c>dotnet ef</c>: <c>DATABASE_URL=postgres://… dotnet ef database update --project Migrations/McpSessions.EF.Migrations.Postgres</c>.
/// </summary>
public sealed class DesignTimeSessionsDbContextFactory : IDesignTimeDbContextFactory<SessionsDbContext>
{
    /// <inheritdoc />
    public SessionsDbContext CreateDbContext(string[] args) => DesignTimeSessionsContext.Create(SessionStorageProvider.Postgres);
}
