using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace McpSessions.EF.Providers;

/// <summary>A PostgreSQL database reached through one <see cref="NpgsqlDataSource"/>, whose pool the store owns.</summary>
internal sealed class PostgresSessionsDatabase(string connectionString) : SessionsDatabase
{
    /// <summary>The application name the store connects with; the <c>updated_at</c> trigger trusts this writer's own timestamps.</summary>
    public const string ApplicationName = "McpSessions.EF";

    private readonly NpgsqlDataSource _dataSource = CreateDataSource(connectionString);

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

    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(PostgresConnectionString.Normalize(connectionString));
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
        }

        return builder.Build();
    }
}
