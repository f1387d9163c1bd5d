using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>The model-based store test on a real PostgreSQL server.</summary>
public sealed class PostgresStoreModelTests(PostgresFixture fixture, ITestOutputHelper output) : StoreModelSpecification<PostgresFixture>(fixture, output);
