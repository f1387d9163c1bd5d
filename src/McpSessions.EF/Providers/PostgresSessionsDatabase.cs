using Npgsql;

namespace McpSessions.EF.Providers;

/// <summary>A PostgreSQL database reached through one <see cref="NpgsqlDataSource"/>, whose pool the store owns.</summary>
internal sealed class PostgresSessionsDatabase(string connectionString, PostgresPooler pooler = PostgresPooler.Auto) : SessionsDatabase
{
    /// <summary>The application name the store connects with; the <c>updated_at</c> trigger trusts this writer's own timestamps.</summary>
    public const string ApplicationName = "McpSessions.EF";

    private readonly NpgsqlDataSource _dataSource = CreateDataSource(connectionString, pooler);

    public override SessionsProvider Provider => SessionsProvider.Postgres;

    public override Model.Compiled.CompiledSessionsModel CompiledModel => Model.Compiled.CompiledSessionsModel.Postgres;

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

    public override void Configure(DbContextOptionsBuilder builder)
    {
        builder.UseNpgsql(_dataSource, npgsql => npgsql
            .MigrationsAssembly(Provider.MigrationsAssembly)
            .MigrationsHistoryTable(SessionsProvider.MigrationsHistoryTable));
        if (Settings.MaxAutoPrepare > 0)
        {
            // A pooler the store was not told about refuses the first prepared statement: say which setting fixes it.
            builder.AddInterceptors(PostgresPoolerErrors.Instance);
        }
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>The most statements auto-prepared per physical connection: the store's handful, with room for update shapes.</summary>
    internal const int MaxAutoPrepare = 64;

    /// <summary>The port of Supabase's transaction-mode pooler, which cannot keep prepared statements across transactions.</summary>
    private const int SupabaseTransactionPoolerPort = 6543;

    /// <summary>The domain of Supabase's pooler hosts (<c>aws-0-REGION.pooler.supabase.com</c>).</summary>
    private const string SupabasePoolerDomain = ".pooler.supabase.com";

    /// <summary>Whether the connection goes through a transaction-mode pooler, as set or, for <see cref="PostgresPooler.Auto"/>, as recognised.</summary>
    internal static bool IsTransactionPooler(NpgsqlConnectionStringBuilder settings, PostgresPooler pooler) => pooler switch
    {
        PostgresPooler.Transaction => true,
        PostgresPooler.None => false,
        _ => settings.Port == SupabaseTransactionPoolerPort
            || (settings.Host ?? "").Split(',').Any(h => h.Trim().TrimEnd('.').EndsWith(SupabasePoolerDomain, StringComparison.OrdinalIgnoreCase)),
    };

    /// <summary>The connection string (or <c>postgres://</c> URI), parsed as the data source parses it.</summary>
    internal static NpgsqlConnectionStringBuilder Parse(string connectionString) => new(PostgresConnectionString.Normalize(connectionString));

    private static NpgsqlDataSource CreateDataSource(string connectionString, PostgresPooler pooler)
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
        // with prepared statements would. A transaction-mode pooler (PgBouncer, Supabase on port 6543) cannot keep
        // prepared statements: there they are off, whatever the connection string says. Otherwise a connection string
        // that sets Max Auto Prepare (0 turns it off) wins.
        if (IsTransactionPooler(settings, pooler))
        {
            settings.MaxAutoPrepare = 0;
        }
        else if (!Mentions(normalized, "Max Auto Prepare", "MaxAutoPrepare"))
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
