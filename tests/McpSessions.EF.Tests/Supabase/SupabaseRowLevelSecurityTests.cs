using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>The store connected straight to PostgreSQL.</summary>
public sealed class SupabaseRowLevelSecurityTests(PostgresFixture fixture) : SupabaseRowLevelSecuritySpecification<PostgresFixture>(fixture);
