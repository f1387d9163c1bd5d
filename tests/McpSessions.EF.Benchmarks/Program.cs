using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Converter*'
// dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Cache*'   (PostgreSQL and Redis from MCPSESSIONS_TEST_*)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
