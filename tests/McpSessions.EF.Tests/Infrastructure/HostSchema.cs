using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Creates a host context's tables the way the host's own migration would, without EF's migrations history.</summary>
public static class HostSchema
{
    /// <summary>Creates every table of <paramref name="context"/>'s model (and its schemas).</summary>
    public static async Task CreateAsHostMigrationWouldAsync(DbContext context)
    {
        var model = context.GetService<IDesignTimeModel>().Model;
        var operations = context.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());
        var commands = context.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        await context.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, context.GetService<IRelationalConnection>());
    }

    /// <summary>The same, on a <typeparamref name="TContext"/> from <paramref name="services"/> (registered with AddDbContext).</summary>
    public static async Task CreateAsHostMigrationWouldAsync<TContext>(IServiceProvider services)
        where TContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        await CreateAsHostMigrationWouldAsync(scope.ServiceProvider.GetRequiredService<TContext>());
    }
}
