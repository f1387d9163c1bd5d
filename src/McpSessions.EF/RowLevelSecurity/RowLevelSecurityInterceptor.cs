using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpSessions.EF.RowLevelSecurity;

/// <summary>
/// Puts the current user in front of every command as transaction-local settings. Npgsql sends a command's
/// statements as one batch with one Sync, which PostgreSQL runs as one implicit transaction, so
/// <c>SET LOCAL</c> holds for exactly the statement that follows and can never leak to the next user of a pooled
/// connection. Inside an explicit transaction it holds until the transaction ends, for the same user.
/// </summary>
internal sealed class RowLevelSecurityInterceptor(RowLevelSecurityPolicy policy) : DbCommandInterceptor
{
    /// <summary>Prefixes each command EF creates, once its text and parameters are set, whatever it then executes as.</summary>
    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        if (result is not Npgsql.NpgsqlCommand)
        {
            throw new NotSupportedException("Row-level security needs PostgreSQL; the session store is configured with another database.");
        }

        result.CommandText = Settings(policy.CurrentUserId) + result.CommandText;
        return result;
    }

    internal string Settings(string? userId)
    {
        if (userId is not null && (userId.Length == 0 || userId.Any(char.IsControl)))
        {
            throw new InvalidOperationException("IMcpSessionsUserAccessor.CurrentUserId must be null or a non-empty id with no control characters.");
        }

        var sql = new StringBuilder(160);
        var role = policy.Role(userId);
        if (role is not null)
        {
            sql.Append("SET LOCAL ROLE ").Append(Identifier(role)).Append(";\n");
        }

        if (policy.Mode == RowLevelSecurityMode.Supabase)
        {
            var claims = userId is null
                ? JsonSerializer.Serialize(new Dictionary<string, string> { ["role"] = role! })
                : JsonSerializer.Serialize(new Dictionary<string, string> { ["sub"] = userId, ["role"] = role! });
            sql.Append("SET LOCAL request.jwt.claims = ").Append(Literal(claims)).Append(";\n");
        }
        else
        {
            sql.Append("SET LOCAL mcp.identity = ").Append(Literal(userId ?? "")).Append(";\n");
        }

        return sql.ToString();
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
