using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>Row-level security with the cache tier, the store connected straight to PostgreSQL.</summary>
public sealed class PostgresRowLevelSecurityWithCacheTests(PostgresFixture fixture) : RowLevelSecurityWithCacheSpecification<PostgresFixture>(fixture);
