namespace McpSessions.EF.Encryption;

/// <summary>How far a re-encryption run is.</summary>
/// <param name="Scanned">Rows looked at so far.</param>
/// <param name="Rewritten">Rows rewritten so far.</param>
/// <param name="Total">Rows in the table when the run started.</param>
public readonly record struct ReencryptionProgress(long Scanned, long Rewritten, long Total);
