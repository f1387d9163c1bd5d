using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Supabase;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>The store through a transaction-mode PgBouncer.</summary>
public sealed class PgBouncerSupabaseRowLevelSecurityTests(PgBouncerFixture fixture) : SupabaseRowLevelSecuritySpecification<PgBouncerFixture>(fixture);
