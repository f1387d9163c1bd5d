namespace McpSessions.EF.Storage;

/// <summary>What <see cref="ISessionAdmin.ImportAsync"/> wrote.</summary>
/// <param name="Inserted">Sessions whose id was not stored before.</param>
/// <param name="Replaced">Sessions that replaced a stored session with the same id.</param>
internal readonly record struct SessionImportResult(int Inserted, int Replaced)
{
    public int Total => Inserted + Replaced;
}
