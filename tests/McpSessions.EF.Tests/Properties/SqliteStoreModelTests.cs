using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>The model-based store test on a real SQLite file, through the library's prepared statements.</summary>
public sealed class SqliteStoreModelTests(SqliteFixture fixture, ITestOutputHelper output) : StoreModelSpecification<SqliteFixture>(fixture, output);
