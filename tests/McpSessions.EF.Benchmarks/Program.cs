using BenchmarkDotNet.Running;
using McpSessions.EF.Benchmarks.Macro;
using McpSessions.EF.Benchmarks;

// Micro-benchmarks (BenchmarkDotNet):
//   dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Converter*'
//   dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Store*'   (PostgreSQL and Redis from MCPSESSIONS_TEST_*)
//   scripts/bench.sh --micro '*Hot*'   (the hot paths through the public API, a short run; bench.sh starts the servers)
// The macro harness, side by side with raw baselines: scripts/bench.sh (which runs this program with `macro`).
// The first store call of a new process: scripts/bench.sh --startup (which runs this program with `--startup-probe`).
return args switch
{
    ["macro", .. var rest] => await MacroHarness.RunAsync(rest),
    [ScaleCheck.Command, .. var rest] => await ScaleCheck.RunAsync(rest),
    [StartupProbe.Command, .. var rest] => await StartupProbe.RunAsync(rest),
    [StartupProbe.Floor] => 0,
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
