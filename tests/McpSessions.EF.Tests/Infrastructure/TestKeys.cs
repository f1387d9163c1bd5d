namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Test-only keys, in both accepted forms. Never use these outside the tests.</summary>
public static class TestKeys
{
    /// <summary>64 hex characters.</summary>
    public const string A = "e14046da2b669ef7110d76fb33578d0c4366fea283043e51d3332c63d543c5a5";

    /// <summary>Base64 of 32 bytes.</summary>
    public const string B = "COEF96sdyJequmVm30IRyfRCdGlfaOb81Be/mdNBjAM=";

    /// <summary>64 hex characters.</summary>
    public const string C = "8d603116a4853c29d274b82e262889fbbeef4b7dcd478e9b8a428c080e2ccaec";
}
