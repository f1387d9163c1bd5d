namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// @mcp-ts/sdk's enc:1 code, run by the real <c>node</c> at test time, so there are no stored vectors that could drift
/// from it.
/// </summary>
/// <remarks>
/// A transcription of <c>encryptObject</c> and <c>decryptObject</c> in the package's
/// <c>src/server/storage/crypto.ts</c> (tests/node/node_modules/@mcp-ts/sdk), with the key handed over as 64 hex
/// digits, the form its <c>getKey</c> reads as raw bytes. The package does not export the two: its exports map opens
/// only the bundles' public surface (<c>.</c>, <c>./server</c>, <c>./client</c>, <c>./shared</c>, the adapters), the
/// functions are module-private inside dist/index.js and dist/server/index.js, and only its Supabase backend calls
/// them, which needs a live Supabase REST endpoint. Call them here instead once a release exports them.
/// </remarks>
public static class NodeCrypto
{
    private const string Encrypt = """
        const { randomBytes, createCipheriv } = require('node:crypto');
        const key = Buffer.from(process.env.KEY_HEX, 'hex');
        const text = JSON.stringify(JSON.parse(process.env.PLAINTEXT_JSON));
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        let encrypted = cipher.update(text, 'utf-8', 'hex');
        encrypted += cipher.final('hex');
        const authTag = cipher.getAuthTag().toString('hex');
        process.stdout.write(`enc:1:${iv.toString('hex')}:${authTag}:${encrypted}`);
        """;

    private const string Decrypt = """
        const { createDecipheriv } = require('node:crypto');
        const key = Buffer.from(process.env.KEY_HEX, 'hex');
        const parts = process.env.VALUE.split(':');
        if (parts.length !== 5 || parts[0] !== 'enc' || parts[1] !== '1') { throw new Error('not enc:1'); }
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2], 'hex'));
        decipher.setAuthTag(Buffer.from(parts[3], 'hex'));
        let decrypted = decipher.update(parts[4], 'hex', 'utf-8');
        decrypted += decipher.final('utf-8');
        process.stdout.write(JSON.stringify(JSON.parse(decrypted)));
        """;

    /// <summary>What @mcp-ts/sdk's encryptObject writes for <paramref name="json"/> under <paramref name="key"/>.</summary>
    public static async Task<string> EncryptAsync(string key, string json)
    {
        var result = await ProcessRunner.RunAsync("node", ["-e", Encrypt], environment: new Dictionary<string, string?> { ["KEY_HEX"] = Hex(key), ["PLAINTEXT_JSON"] = json });
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }

    /// <summary>What @mcp-ts/sdk's decryptObject reads from <paramref name="value"/>, as JSON.</summary>
    public static async Task<string> DecryptAsync(string key, string value)
    {
        var result = await ProcessRunner.RunAsync("node", ["-e", Decrypt], environment: new Dictionary<string, string?> { ["KEY_HEX"] = Hex(key), ["VALUE"] = value });
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }

    private static string Hex(string key) => key.Length == 64 ? key : Convert.ToHexStringLower(Convert.FromBase64String(key));
}
