using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Supabase;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>Row-level security with the cache tier, the store through a transaction-mode PgBouncer.</summary>
public sealed class PgBouncerRowLevelSecurityWithCacheTests(PgBouncerFixture fixture) : RowLevelSecurityWithCacheSpecification<PgBouncerFixture>(fixture);
