using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Packaging;

/// <summary>
/// Every <c>```csharp</c> block of the repository README compiles as shown when pasted into a new web app
/// (<c>dotnet new web</c>: implicit usings and nullable on), against the repository's projects, warnings as errors.
/// The convention a block follows, C#'s own for a file: its <c>using</c> lines first, then top-level statements (a
/// <c>Program.cs</c>), then type declarations; either part may be absent. A block preceded by
/// <c>&lt;!-- snippet: not compiled --&gt;</c> is skipped. All blocks build in one scratch project: each becomes a file
/// in a namespace of its own, its statements wrapped in a method and its types left at file level, with <c>#line</c>
/// directives so a compiler error names the README line.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private const string NotCompiled = "<!-- snippet: not compiled -->";

    private static string Readme => RepositoryPaths.Combine("README.md");

    [Fact]
    public async Task Every_csharp_block_of_the_readme_compiles_in_a_new_web_app()
    {
        var blocks = CsharpBlocks(await File.ReadAllLinesAsync(Readme));
        Assert.NotEmpty(blocks);

        var project = Directory.CreateTempSubdirectory("mcpsessions-readme-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(project.FullName, "ReadmeSnippets.csproj"), Project());
            foreach (var block in blocks)
            {
                await File.WriteAllTextAsync(Path.Combine(project.FullName, $"Line{block.Line}.cs"), CompilationUnit(block));
            }

            // The repository's projects were built by the test run: build only the snippets against them.
            var build = await PackedPackages.Dotnet(
                project.FullName,
                null,
                "build", "-c", RepositoryPaths.Configuration, "-nologo", "--tl:off", "-v:quiet", "-nodeReuse:false",
                "-p:BuildProjectReferences=false");

            var errors = build.StandardOutput.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.Contains(": error ", StringComparison.Ordinal))
                .Distinct()
                .ToList();
            var failed = blocks
                .Where(b => errors.Any(e => ErrorLine(e) is { } line && line >= b.Line && line < b.Line + b.Lines.Count))
                .Select(b => $"README.md line {b.Line}")
                .ToList();
            Assert.True(
                build.ExitCode == 0 && errors.Count == 0,
                $"The README's C# blocks do not compile ({(failed.Count == 0 ? "see the build output" : string.Join(", ", failed))}):\n" +
                (errors.Count == 0 ? build.ToString() : string.Join('\n', errors)));
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_readme_exception_handler_is_the_tested_one_without_its_namespace()
    {
        var tested = await File.ReadAllTextAsync(RepositoryPaths.Combine("tests", "McpSessions.EF.Tests", "Hosting", "SessionExceptionHandler.cs"));
        var expected = NamespaceLine().Replace(tested, "").TrimEnd();

        var block = Assert.Single(CsharpBlocks(await File.ReadAllLinesAsync(Readme)), b => b.Lines.Any(l => l.Contains("class SessionExceptionHandler", StringComparison.Ordinal)));

        Assert.Equal(expected.ReplaceLineEndings("\n"), string.Join('\n', block.Lines).TrimEnd());
    }

    private sealed record Block(int Line, IReadOnlyList<string> Lines);

    /// <summary>The <c>```csharp</c> blocks to compile, each with the README line number of its first code line.</summary>
    private static List<Block> CsharpBlocks(string[] readme)
    {
        var blocks = new List<Block>();
        for (var i = 0; i < readme.Length; i++)
        {
            if (readme[i].Trim() != "```csharp")
            {
                continue;
            }

            var end = Array.FindIndex(readme, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"README.md line {i + 1}: the ```csharp block is not closed");
            var previous = readme.Take(i).LastOrDefault(l => l.Trim().Length > 0)?.Trim();
            if (previous != NotCompiled)
            {
                blocks.Add(new Block(i + 2, readme[(i + 1)..end]));
            }

            i = end;
        }

        return blocks;
    }

    /// <summary>
    /// A block as one file: its leading usings (and comments) first, then its statements in an async method of a class
    /// of its own, then its types; all in the namespace <c>ReadmeSnippets.Line{N}</c>.
    /// </summary>
    private static string CompilationUnit(Block block)
    {
        var lines = block.Lines;
        var usings = 0;
        while (usings < lines.Count && (lines[usings].Trim().Length == 0 || LineComment().IsMatch(lines[usings]) || UsingDirective().IsMatch(lines[usings])))
        {
            usings++;
        }

        // Types start at the first column-0 type declaration, with the doc comments and attributes right above it.
        var types = lines.Count;
        for (var i = usings; i < lines.Count; i++)
        {
            if (TypeDeclaration().IsMatch(lines[i]))
            {
                types = i;
                while (types > usings && (lines[types - 1].StartsWith("///", StringComparison.Ordinal) || lines[types - 1].StartsWith('[')))
                {
                    types--;
                }

                break;
            }
        }

        var text = new StringBuilder();
        void Segment(int from, int to)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"#line {block.Line + from} \"{Readme}\"");
            foreach (var line in lines.Skip(from).Take(to - from))
            {
                text.AppendLine(line);
            }

            text.AppendLine("#line default");
        }

        Segment(0, usings);
        text.AppendLine(CultureInfo.InvariantCulture, $"namespace ReadmeSnippets.Line{block.Line};");
        if (lines.Skip(usings).Take(types - usings).Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("//", StringComparison.Ordinal)))
        {
            text.AppendLine("#pragma warning disable CS1998 // a program without await");
            text.AppendLine("internal static class Program");
            text.AppendLine("{");
            text.AppendLine("    public static async Task Main(string[] args)");
            text.AppendLine("    {");
            Segment(usings, types);
            text.AppendLine("    }");
            text.AppendLine("}");
        }

        Segment(types, lines.Count);
        return text.ToString();
    }

    /// <summary>
    /// A web app outside the repository referencing its projects, with the package versions of
    /// <c>Directory.Packages.props</c> (outside the repository, central package management does not apply).
    /// </summary>
    private static string Project()
    {
        string Reference(params string[] path) => $"""    <ProjectReference Include="{RepositoryPaths.Combine(path)}" />""";
        return $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
            {Reference("src", "McpSessions.EF", "McpSessions.EF.csproj")}
            {Reference("src", "McpSessions.EF.ModelContextProtocol", "McpSessions.EF.ModelContextProtocol.csproj")}
            {Reference("Migrations", "McpSessions.EF.Migrations.Sqlite", "McpSessions.EF.Migrations.Sqlite.csproj")}
            {Reference("Migrations", "McpSessions.EF.Migrations.Postgres", "McpSessions.EF.Migrations.Postgres.csproj")}
                <PackageReference Include="Microsoft.Extensions.Caching.StackExchangeRedis" Version="{PackageVersion("Microsoft.Extensions.Caching.StackExchangeRedis")}" />
              </ItemGroup>
            </Project>
            """;
    }

    /// <summary>The version <c>Directory.Packages.props</c> gives a package, its <c>$(Property)</c> resolved.</summary>
    private static string PackageVersion(string id)
    {
        var props = XDocument.Load(RepositoryPaths.Combine("Directory.Packages.props"));
        var version = props.Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == id).Attribute("Version")!.Value;
        return PropertyReference().Replace(version, m => props.Descendants(m.Groups[1].Value).Single().Value);
    }

    /// <summary>The README line of an MSBuild error line <c>/path/README.md(97,5): error CS0103: …</c>.</summary>
    private static int? ErrorLine(string error) =>
        ReadmeLocation().Match(error) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?[\w.]+(\s*=\s*[\w.<>, ]+)?\s*;")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^\s*//(?!/)")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"^((public|internal|file|sealed|static|abstract|partial|readonly|ref)\s+)*(class|record|struct|interface|enum)\s")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^namespace [\w.]+;\r?\n(\r?\n)?", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex PropertyReference();

    [GeneratedRegex(@"README\.md\((\d+),\d+\)")]
    private static partial Regex ReadmeLocation();
}
