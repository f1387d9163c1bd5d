using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace McpSessions.EF.Providers;

/// <summary>A PostgreSQL database reached through one <see cref="NpgsqlDataSource"/>, whose pool the store owns.</summary>
internal sealed class PostgresSessionsDatabase(string connectionString) : SessionsDatabase
{
    private readonly NpgsqlDataSource _dataSource = new NpgsqlDataSourceBuilder(PostgresConnectionString.Normalize(connectionString)).Build();

    public override SessionsProvider Provider => SessionsProvider.Postgres;

    public override string Description
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
            return $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
        }
    }

    public override void Configure(DbContextOptionsBuilder builder) =>
        builder.UseNpgsql(_dataSource, npgsql => npgsql
            .MigrationsAssembly(Provider.MigrationsAssembly)
            .MigrationsHistoryTable(SessionsProvider.MigrationsHistoryTable));

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
