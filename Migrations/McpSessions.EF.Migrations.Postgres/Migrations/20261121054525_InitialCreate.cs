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
            migrationBuilder.CreateTable(
                name: "mcp_sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    session_id = table.Column<string>(type: "text", nullable: false),
                    identity = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    server_id = table.Column<string>(type: "text", nullable: true),
                    server_name = table.Column<string>(type: "text", nullable: true),
                    server_url = table.Column<string>(type: "text", nullable: false),
                    callback_url = table.Column<string>(type: "text", nullable: false),
                    transport_type = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamptz", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamptz", nullable: false, defaultValueSql: "now()"),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamptz", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    headers = table.Column<string>(type: "jsonb", nullable: true),
                    client_information = table.Column<string>(type: "jsonb", nullable: true),
                    tokens = table.Column<string>(type: "jsonb", nullable: true),
                    code_verifier = table.Column<string>(type: "text", nullable: true),
                    client_id = table.Column<string>(type: "text", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("mcp_sessions_pkey", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "idx_mcp_sessions_expires_at",
                table: "mcp_sessions",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "idx_mcp_sessions_identity",
                table: "mcp_sessions",
                column: "identity");

            migrationBuilder.CreateIndex(
                name: "idx_mcp_sessions_user_id",
                table: "mcp_sessions",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "mcp_sessions_session_id_key",
                table: "mcp_sessions",
                column: "session_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mcp_sessions");
        }
    }
}
