using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>A host's context that maps the sessions and has one migration of its own (<see cref="HostOrdersMigration"/>).</summary>
public sealed class MigratingHostContext(DbContextOptions<MigratingHostContext> options) : DbContext(options), IMcpSessionsContext
{
    public DbSet<McpSession> McpSessions => Set<McpSession>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyMcpSessions(this);
}

/// <summary>The host's own migration: a table that has nothing to do with sessions.</summary>
[DbContext(typeof(MigratingHostContext))]
[Migration(Id)]
public sealed class HostOrdersMigration : Migration
{
    public const string Id = "20260101000000_HostOrders";

    public const string Table = "host_orders";

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateTable(
        name: Table,
        columns: table => new
        {
            id = table.Column<int>(nullable: false),
            item = table.Column<string>(nullable: false),
        },
        constraints: table => table.PrimaryKey("pk_host_orders", x => x.id));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(Table);
}
