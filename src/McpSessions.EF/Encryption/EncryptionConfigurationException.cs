namespace McpSessions.EF.Encryption;

/// <summary>The encryption settings are missing or wrong. Raised at startup; the message names the setting, never a key.</summary>
public sealed class EncryptionConfigurationException(string message) : InvalidOperationException(message);
