using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpSessions.EF.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hand-written rather than generated: the table must be exactly @mcp-ts/sdk's, and every statement safe to
            // run again, on a database where the Node migration already made it (see Sql/*.sql).
            migrationBuilder.Sql(PostgresSessionsSql.Table);
            migrationBuilder.Sql(PostgresSessionsSql.SupabaseRowLevelSecurity);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The trigger function is shared with @mcp-ts/sdk's migration, so it stays.
            migrationBuilder.Sql("DROP TABLE IF EXISTS public.mcp_sessions;");
        }
    }
}
