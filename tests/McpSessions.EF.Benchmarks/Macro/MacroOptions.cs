using System.Globalization;
using McpSessions.EF.DependencyInjection;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>The macro harness's command line (<c>scripts/bench.sh</c> passes its arguments through).</summary>
internal sealed class MacroOptions
{
    public const string Usage =
        """
        usage: bench.sh [options]
          --config NAME          sqlite, postgres, postgres+redis (repeat or comma-separate; default: all three)
          --concurrency C        workers per phase (repeat or comma-separate; default: 1 and 32)
          --n N                  sessions per run (default 2000)
          --identities K         identities the sessions are spread over (default 100, at most N)
          --runs R               runs per configuration and concurrency; the median is reported (default 3)
          --get-passes P         passes over all sessions in the get phase (default 3)
          --list-passes P        passes over all identities in the list phases (default 5)
          --million-rows M       rows for the list-all-ids-at-scale check, 0 to skip (default 1000000)
          --million-config NAME  sqlite, postgres (repeat or comma-separate; default: postgres and sqlite)
          --sqlite-synchronous S normal or full, for the library and the raw SQLite baseline (default normal)
          --json FILE            also write the results as JSON
        Servers: MCPSESSIONS_TEST_POSTGRES (an Npgsql connection string; databases are created and dropped) and
        MCPSESSIONS_TEST_REDIS (host:port); scripts/bench.sh starts its own.
        """;

    public static readonly string[] AllConfigurations = ["sqlite", "postgres", "postgres+redis"];

    public List<string> Configurations { get; } = [];

    public List<int> Concurrency { get; } = [];

    public int Sessions { get; private set; } = 2000;

    public int Identities { get; private set; }

    public int Runs { get; private set; } = 3;

    public int GetPasses { get; private set; } = 3;

    public int ListPasses { get; private set; } = 5;

    public int MillionRows { get; private set; } = 1_000_000;

    public List<string> MillionConfigurations { get; } = [];

    public SqliteSynchronous SqliteSynchronous { get; private set; } = SqliteSynchronous.Normal;

    public string? JsonPath { get; private set; }

    /// <summary><c>--help</c> was asked for.</summary>
    public bool Help { get; private set; }

    /// <summary><c>--check</c>: only check the arguments (scripts/bench.sh does, before it starts servers).</summary>
    public bool CheckOnly { get; private set; }

    /// <exception cref="ArgumentException">An unknown option or a bad value; the message says which.</exception>
    public static MacroOptions Parse(IReadOnlyList<string> args)
    {
        var options = new MacroOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Positive(int min = 1) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                ? n
                : throw new ArgumentException($"{name} needs a whole number ≥ {min}");

            switch (name)
            {
                case "--config":
                    options.Configurations.AddRange(Names(Value(), AllConfigurations, name));
                    break;
                case "--concurrency":
                    foreach (var part in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        options.Concurrency.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c >= 1
                            ? c
                            : throw new ArgumentException($"--concurrency needs whole numbers ≥ 1, not '{part}'"));
                    }

                    break;
                case "--n":
                    options.Sessions = Positive();
                    break;
                case "--identities":
                    options.Identities = Positive();
                    break;
                case "--runs":
                    options.Runs = Positive();
                    break;
                case "--get-passes":
                    options.GetPasses = Positive();
                    break;
                case "--list-passes":
                    options.ListPasses = Positive();
                    break;
                case "--million-rows":
                    options.MillionRows = Positive(0);
                    break;
                case "--million-config":
                    options.MillionConfigurations.AddRange(Names(Value(), ["postgres", "sqlite"], name));
                    break;
                case "--sqlite-synchronous":
                    options.SqliteSynchronous = Value().ToUpperInvariant() switch
                    {
                        "NORMAL" => SqliteSynchronous.Normal,
                        "FULL" => SqliteSynchronous.Full,
                        var other => throw new ArgumentException($"--sqlite-synchronous is normal or full, not '{other}'"),
                    };
                    break;
                case "--help" or "-h":
                    options.Help = true;
                    break;
                case "--check":
                    options.CheckOnly = true;
                    break;
                case "--json":
                    options.JsonPath = Path.GetFullPath(Value());
                    break;
                default:
                    throw new ArgumentException($"unknown option '{name}'");
            }
        }

        if (options.Configurations.Count == 0)
        {
            options.Configurations.AddRange(AllConfigurations);
        }

        if (options.Concurrency.Count == 0)
        {
            options.Concurrency.AddRange([1, 32]);
        }

        if (options.MillionConfigurations.Count == 0)
        {
            options.MillionConfigurations.AddRange(["postgres", "sqlite"]);
        }

        if (options.Identities == 0)
        {
            options.Identities = Math.Min(100, options.Sessions);
        }
        else if (options.Identities > options.Sessions)
        {
            throw new ArgumentException("--identities must not exceed --n");
        }

        return options;
    }

    private static IEnumerable<string> Names(string value, string[] allowed, string option)
    {
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return allowed.Contains(part, StringComparer.OrdinalIgnoreCase)
                ? part.ToLowerInvariant()
                : throw new ArgumentException($"{option} is one of {string.Join(", ", allowed)}, not '{part}'");
        }
    }
}
