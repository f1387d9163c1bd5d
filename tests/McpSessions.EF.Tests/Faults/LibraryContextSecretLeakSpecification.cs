using System.Text.Json.Nodes;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// <see cref="SecretLeakSpecification{TFixture}"/> on the library's own context, with what only it has: the import
/// (<see cref="ISessionAdmin.ImportAsync"/>, and the <c>mcp-sessions import</c> tool as a process).
/// </summary>
public abstract class LibraryContextSecretLeakSpecification<TFixture>(TFixture fixture) : SecretLeakSpecification<TFixture>(fixture), IDisposable
    where TFixture : SessionStoreFixture
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mcpsessions-leak-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task A_bad_import_leaks_no_secret()
    {
        var admin = Services().GetRequiredService<ISessionAdmin>();
        var badUrl = SecretSession();
        badUrl.ServerUrl = "ftp://" + Witness.AccessToken;
        var badHeader = SecretSession();
        badHeader.Headers = new() { ["Authorization"] = $"Bearer {Witness.HeaderValue}\n" };
        var twice = SecretSession();

        await Witness.FailsAsync("import with a bad server URL", () => admin.ImportAsync([SecretSession(), badUrl]));
        await Witness.FailsAsync("import with a header value holding LF", () => admin.ImportAsync([badHeader]));
        await Witness.FailsAsync("import with an id twice", () => admin.ImportAsync([twice, SecretSession(twice.SessionId)]));

        Assert.Equal(0, await Fixture.CountRowsAsync());
        Witness.AssertNoSecret();
    }

    [Fact]
    public async Task A_bad_import_through_the_tool_leaks_no_secret_even_with_verbose()
    {
        var env = Fixture.CliEnvironment(Fixture.ConnectionString);
        env["STORAGE_ENCRYPTION_KEY"] = TestKeys.A;
        var valid = ValidElement();
        var cases = new (string Name, string Content, string Expected)[]
        {
            ("a syntax error after a secret", "[" + valid + ", " + valid.Replace($"\"{Witness.AccessToken}\",", $"\"{Witness.AccessToken}\"", StringComparison.Ordinal) + "]", "is not valid JSON"),
            ("a secret where a number belongs", "[" + valid.Replace("\"expires_in\": 3600", $"\"expires_in\": \"{Witness.RefreshToken}\"", StringComparison.Ordinal) + "]", "tokens is not valid"),
            ("a header value holding CR LF", "[" + valid.Replace($"Bearer {Witness.HeaderValue}", $"Bearer {Witness.HeaderValue}\\r\\nX: {Witness.IdToken}", StringComparison.Ordinal) + "]", "headers must have"),
            ("a bad server URL beside the secrets", "[" + valid.Replace("https://mcp.example.com/mcp", "ftp://" + Witness.ClientSecret, StringComparison.Ordinal) + "]", "serverUrl must be"),
        };

        foreach (var (name, content, expected) in cases)
        {
            var file = Path.Combine(_work.FullName, "sessions.json");
            await File.WriteAllTextAsync(file, content);
            var result = await CliProcess.RunAsync(_work.FullName, _work.FullName, env, "import", file, "--verbose");
            Witness.Saw($"import of {name}: stdout", result.StandardOutput);
            Witness.Saw($"import of {name}: stderr", result.StandardError);

            Assert.True(result.ExitCode == 3, $"{name}: {result}");
            Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        }

        Assert.Equal(0, await Fixture.CountRowsAsync());
        Witness.AssertNoSecret();
    }

    /// <summary>One @mcp-ts/sdk SessionData element holding every secret, one member per line.</summary>
    private string ValidElement() => $$"""
        {
          "sessionId": "import-{{Guid.NewGuid():N}}",
          "identity": "alice",
          "serverUrl": "https://mcp.example.com/mcp",
          "callbackUrl": "https://app.example.com/oauth/callback",
          "transportType": "streamable_http",
          "createdAt": 1763700000000,
          "active": true,
          "headers": { "Authorization": "Bearer {{Witness.HeaderValue}}" },
          "clientInformation": { "client_id": "client-1", "client_secret": "{{Witness.ClientSecret}}" },
          "tokens": { "access_token": "{{Witness.AccessToken}}", "refresh_token": "{{Witness.RefreshToken}}", "expires_in": 3600, "token_type": "Bearer" },
          "codeVerifier": "{{Witness.CodeVerifier}}"
        }
        """;
}
