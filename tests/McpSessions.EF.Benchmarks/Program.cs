using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Converter*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
