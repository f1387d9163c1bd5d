using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Providers;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>
/// The store's data source prepares its statements automatically (PostgreSQL then parses and plans each once per
/// connection), unless the connection string decides otherwise or points at Supabase's transaction-mode pooler.
/// </summary>
public sealed class PostgresAutoPrepareTests
{
    [Fact]
    public async Task Statements_are_auto_prepared_after_two_uses_by_default()
    {
        await using var database = new PostgresSessionsDatabase("Host=db.example.com;Database=app;Username=app");

        Assert.Equal(PostgresSessionsDatabase.MaxAutoPrepare, database.Settings.MaxAutoPrepare);
        Assert.Equal(2, database.Settings.AutoPrepareMinUsages);
    }

    [Theory]
    [InlineData("Host=db.example.com;Database=app;Max Auto Prepare=0", 0, 5)]
    [InlineData("Host=db.example.com;Database=app;Max Auto Prepare=10;Auto Prepare Min Usages=7", 10, 7)]
    [InlineData("postgres://app:secret@db.example.com:5432/app?Max%20Auto%20Prepare=0", 0, 5)]
    public async Task A_connection_string_that_sets_auto_preparation_wins(string connectionString, int maxAutoPrepare, int minUsages)
    {
        await using var database = new PostgresSessionsDatabase(connectionString);

        Assert.Equal(maxAutoPrepare, database.Settings.MaxAutoPrepare);
        Assert.Equal(minUsages, database.Settings.AutoPrepareMinUsages);
    }

    [Theory]
    [InlineData("postgres://postgres.ref:secret@aws-0-eu-west-1.pooler.supabase.com:6543/postgres")]
    [InlineData("postgres://postgres.ref:secret@aws-0-eu-west-1.pooler.supabase.com:5432/postgres")]
    [InlineData("Host=db.example.com;Port=6543;Database=app;Max Auto Prepare=20")]
    [InlineData("Host=AWS-0-US-EAST-1.POOLER.SUPABASE.COM;Database=postgres")]
    public async Task Supabase_pooler_connections_are_not_auto_prepared(string connectionString)
    {
        await using var database = new PostgresSessionsDatabase(connectionString);

        Assert.Equal(0, database.Settings.MaxAutoPrepare);
    }

    [Fact]
    public async Task A_transaction_pooler_set_in_the_options_turns_auto_preparation_off_whatever_the_connection_string_says()
    {
        await using var database = new PostgresSessionsDatabase("Host=pgbouncer.internal;Port=6432;Database=app;Max Auto Prepare=20", PostgresPooler.Transaction);

        Assert.Equal(0, database.Settings.MaxAutoPrepare);
    }

    [Fact]
    public async Task No_pooler_set_in_the_options_keeps_auto_preparation_on_port_6543()
    {
        await using var database = new PostgresSessionsDatabase("Host=db.example.com;Port=6543;Database=app", PostgresPooler.None);

        Assert.Equal(PostgresSessionsDatabase.MaxAutoPrepare, database.Settings.MaxAutoPrepare);
    }
}
