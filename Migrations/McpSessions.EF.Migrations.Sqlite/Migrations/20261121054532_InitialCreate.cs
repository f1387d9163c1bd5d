using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpSessions.EF.Migrations.Sqlite.Migrations
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
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    session_id = table.Column<string>(type: "TEXT", nullable: false),
                    identity = table.Column<string>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    server_id = table.Column<string>(type: "TEXT", nullable: true),
                    server_name = table.Column<string>(type: "TEXT", nullable: true),
                    server_url = table.Column<string>(type: "TEXT", nullable: false),
                    callback_url = table.Column<string>(type: "TEXT", nullable: false),
                    transport_type = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    active = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false),
                    headers = table.Column<string>(type: "TEXT", nullable: true),
                    client_information = table.Column<string>(type: "TEXT", nullable: true),
                    tokens = table.Column<string>(type: "TEXT", nullable: true),
                    code_verifier = table.Column<string>(type: "TEXT", nullable: true),
                    client_id = table.Column<string>(type: "TEXT", nullable: true),
                    version = table.Column<uint>(type: "INTEGER", nullable: false, defaultValue: 0u)
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
