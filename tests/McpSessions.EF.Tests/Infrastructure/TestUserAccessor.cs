using McpSessions.EF.RowLevelSecurity;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>The "signed-in user" of the row-level-security tests, flowing with the async context like HttpContext does.</summary>
public sealed class TestUserAccessor : IMcpSessionsUserAccessor
{
    private static readonly AsyncLocal<string?> Current = new();

    public string? CurrentUserId => Current.Value;

    /// <summary>Signs <paramref name="userId"/> in for the rest of the calling async flow.</summary>
    public static void SignIn(string? userId) => Current.Value = userId;
}
