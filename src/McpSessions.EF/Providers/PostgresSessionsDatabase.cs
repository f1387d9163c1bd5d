using System.Data.Common;
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

    /// <summary>The data source's settings, without the password.</summary>
    internal NpgsqlConnectionStringBuilder Settings => new(_dataSource.ConnectionString);

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

    /// <summary>The most statements auto-prepared per physical connection: the store's handful, with room for update shapes.</summary>
    internal const int MaxAutoPrepare = 64;

    /// <summary>The port of Supabase's transaction-mode pooler, which cannot keep prepared statements across transactions.</summary>
    private const int SupabaseTransactionPoolerPort = 6543;

    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var normalized = PostgresConnectionString.Normalize(connectionString);
        var builder = new NpgsqlDataSourceBuilder(normalized);
        var settings = builder.ConnectionStringBuilder;
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = ApplicationName;
        }

        // Auto-preparation: every statement the store runs is parameterised and few in kind, so after its second use
        // on a physical connection PostgreSQL parses and plans it once instead of on every call, as hand-written code
        // with prepared statements would. A connection string that sets Max Auto Prepare (0 turns it off) wins; a
        // transaction-mode pooler (PgBouncer, Supabase on port 6543) cannot keep prepared statements and is left alone.
        if (!Mentions(normalized, "Max Auto Prepare", "MaxAutoPrepare") && settings.Port != SupabaseTransactionPoolerPort)
        {
            settings.MaxAutoPrepare = MaxAutoPrepare;
            if (!Mentions(normalized, "Auto Prepare Min Usages", "AutoPrepareMinUsages"))
            {
                settings.AutoPrepareMinUsages = 2;
            }
        }

        return builder.Build();
    }

    private static bool Mentions(string connectionString, params string[] keywords)
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keywords.Any(parsed.ContainsKey);
    }
}
