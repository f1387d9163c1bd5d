using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>The store connected straight to PostgreSQL.</summary>
public sealed class PostgresIdentityRowLevelSecurityTests(PostgresFixture fixture) : PostgresIdentityRowLevelSecuritySpecification<PostgresFixture>(fixture);
