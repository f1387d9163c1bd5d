namespace McpSessions.EF.DependencyInjection;

/// <summary>
/// What sits between the store and PostgreSQL, which decides whether server-side prepared statements can be used
/// (option <c>McpSessions:PostgresPooler</c>). A transaction-mode pooler (PgBouncer's <c>pool_mode = transaction</c>,
/// Supabase's pooler on port 6543) hands each transaction to any of its server connections, so a statement prepared
/// on one is missing on the next.
/// </summary>
public enum PostgresPooler
{
    /// <summary>
    /// The default: a connection to port 6543 or to a host ending in <c>pooler.supabase.com</c> is taken for a
    /// transaction-mode pooler; any other for a direct connection (or a session-mode pooler), whose statements are
    /// prepared automatically.
    /// </summary>
    Auto,

    /// <summary>Straight to PostgreSQL, or through a session-mode pooler: statements are prepared automatically.</summary>
    None,

    /// <summary>Through a transaction-mode pooler (PgBouncer, Supavisor, RDS Proxy): no prepared statements.</summary>
    Transaction,
}
