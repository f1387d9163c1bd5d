using System.Text.RegularExpressions;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// Import fuzzing: hundreds of mutated <c>sessions.json</c> files (<see cref="ImportMutation"/>) through the import
/// command in-process, on a real SQLite file that already holds sessions. Every one must end in exit code 3 with a
/// line naming the element (and the member where there is one) of one of its invalidating edits, and leave the table
/// exactly as it was. <see cref="ImportProcessTests"/> runs representative files through the real tool.
/// </summary>
public sealed partial class ImportFuzzTests(SqliteFixture fixture, ITestOutputHelper output) : IClassFixture<SqliteFixture>, IDisposable
{
    public const int Mutations = 400;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mcpsessions-import-fuzz-");

    [Fact]
    public async Task Mutated_sessions_json_files_exit_3_naming_the_element_and_member_and_write_nothing()
    {
        await fixture.Store.ClearAllAsync();
        await fixture.Store.CreateAsync(TestSessions.New("alice", "kept-1", active: true));
        await fixture.Store.CreateAsync(TestSessions.New("bob", "imported-0", active: false)); // an import would replace it
        var before = await InProcessImport.SnapshotAsync(fixture, fixture.ConnectionString);
        var reported = new Dictionary<string, int>(StringComparer.Ordinal);
        var file = Path.Combine(_directory.FullName, "sessions.json");

        await PropertyRun.CheckAsync(
            nameof(ImportFuzzTests),
            ImportMutation.Arbitrary(),
            mutation =>
            {
                var (content, expected) = mutation.Build();
                File.WriteAllBytes(file, content);
                var result = InProcessImport.RunAsync(file, "sqlite", fixture.ConnectionString).GetAwaiter().GetResult();
                if (result.ExitCode != CliErrors.Data)
                {
                    throw new InvalidOperationException($"exit {result.ExitCode}, not 3: {result.Error}{Environment.NewLine}{result.Output}");
                }

                var match = ElementLine().Match(result.Error);
                if (!match.Success || !result.Error.EndsWith("Nothing was imported.", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the line names no element: {result.Error}");
                }

                var named = (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value);
                if (!expected.Contains(named))
                {
                    throw new InvalidOperationException($"the line names element {named.Item1} member {named.Item2}, none of [{string.Join(", ", expected)}]: {result.Error}");
                }

                var after = InProcessImport.SnapshotAsync(fixture, fixture.ConnectionString).GetAwaiter().GetResult();
                if (after != before)
                {
                    throw new InvalidOperationException($"the table changed:{Environment.NewLine}{before}{Environment.NewLine}became{Environment.NewLine}{after}");
                }

                reported[named.Item2] = reported.GetValueOrDefault(named.Item2) + 1;
            },
            Mutations,
            output);

        output.WriteLine($"reported members: {string.Join(", ", reported.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");
        Assert.True(reported.GetValueOrDefault("element") > 0 && reported.Count > 8, "the mutations reached few members");
    }

    [GeneratedRegex(@"element (\d+): (\S*) ")]
    private static partial Regex ElementLine();

    public void Dispose() => _directory.Delete(recursive: true);
}
