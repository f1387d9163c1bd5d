namespace McpSessions.EF.Storage;

/// <summary>An argument breaks a rule of SPEC §2 or §8. Nothing was written.</summary>
public sealed class SessionValidationException(string field, string rule)
    : ArgumentException($"{field} {rule}", field)
{
    /// <summary>The field that is invalid, for example <c>ServerUrl</c>.</summary>
    public string Field { get; } = field;

    /// <summary>The rule it breaks, for example <c>must be an absolute http or https URI.</c></summary>
    public string Rule { get; } = rule;
}
