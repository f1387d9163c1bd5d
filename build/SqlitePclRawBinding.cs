// Feed workaround (ENVIRONMENT.md #1) — delete this file, and the SQLitePCLRaw 2.0.6 pins, once the package feed
// serves SQLitePCLRaw 2.1.x.
//
// Microsoft.Data.Sqlite 10 is compiled against SQLitePCLRaw 2.1.13; the feed has only 2.0.6. Executables ship the
// 2.0.6 assemblies (SQLitePCLRaw.bundle_e_sqlite3) and this handler binds the 2.1 references to them. Compiled into
// every executable that opens SQLite (CLI, tests, benchmarks, the SQLite migrations' design-time factory), from
// this one file.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace McpSessions.EF.Build;

internal static class SqlitePclRawBinding
{
    private static int _registered;

    /// <summary>Registers the handler once. Safe to call many times.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += Resolve;
        }
    }

#if !SQLITE_BINDING_ON_DEMAND
#pragma warning disable CA2255 // A module initializer is the point: it must run before the first SqliteConnection.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => Register();
#endif

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null || !name.Name.StartsWith("SQLitePCLRaw.", StringComparison.Ordinal))
        {
            return null;
        }

        var path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
        if (!File.Exists(path))
        {
            path = Path.Combine(Path.GetDirectoryName(typeof(SqlitePclRawBinding).Assembly.Location) ?? "", name.Name + ".dll");
        }

        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }
}
