namespace McpSessions.EF.Lifecycle;

/// <summary>Where a stored session is in its life (SPEC §4). Pending and active sessions are live; the others wait for cleanup.</summary>
internal enum SessionState
{
    /// <summary>OAuth in progress and <c>expires_at</c> still ahead.</summary>
    Pending,

    /// <summary>Connected and used within <c>DormantAfter</c>.</summary>
    Active,

    /// <summary>Connected, but unused for longer than <c>DormantAfter</c>.</summary>
    Dormant,

    /// <summary>Pending past its <c>expires_at</c>.</summary>
    Expired,
}
