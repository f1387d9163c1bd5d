using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>
/// Example command lines, shown at the end of a command's own <c>--help</c> (and not in the parent's command list,
/// which keeps one line per command).
/// </summary>
internal static class CommandExamples
{
    private static readonly Dictionary<Command, string[]> Examples = [];

    /// <summary>Sets the examples of <paramref name="command"/>.</summary>
    public static T WithExamples<T>(this T command, params string[] examples)
        where T : Command
    {
        Examples[command] = examples;
        return command;
    }

    /// <summary>Makes <paramref name="help"/> print the examples after System.CommandLine's help.</summary>
    public static HelpOption ShowingExamples(this HelpOption help)
    {
        help.Action = new Action((HelpAction)help.Action!);
        return help;
    }

    private sealed class Action(HelpAction help) : SynchronousCommandLineAction
    {
        // `mcp-sessions show --help` has no arguments, and is still a request for help, not a usage error.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var code = help.Invoke(parseResult);
            if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples) && examples.Length > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(examples.Length == 1 ? "Example:" : "Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine($"  {example}");
                }

                output.WriteLine();
            }

            return code;
        }
    }
}
