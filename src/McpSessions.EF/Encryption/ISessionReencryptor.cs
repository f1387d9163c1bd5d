namespace McpSessions.EF.Encryption;

/// <summary>Rewrites stored secrets under the primary key, for key rotation and for upgrading clear-text legacy rows.</summary>
public interface ISessionReencryptor
{
    /// <summary>
    /// Rewrites every row whose secrets are not in the current form (the primary key and format, or clear text where
    /// the format writes clear text), in batches of one short transaction each, while the application keeps running.
    /// Idempotent: rows already current are skipped, so running it again, or after it was stopped half-way, finishes
    /// the job. It changes no other column, and does not count as a use of the session.
    /// </summary>
    Task<ReencryptionProgress> ReencryptAsync(IProgress<ReencryptionProgress>? progress = null, CancellationToken cancellationToken = default);
}
