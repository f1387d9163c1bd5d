using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Infrastructure;

/// <summary>
/// Carries the session mapping settings into a context's options, so <c>ApplyMcpSessions</c> can read them while
/// the model is built. Contexts whose settings differ get separate internal service providers, and so separate
/// cached models.
/// </summary>
internal sealed class McpSessionsDbContextOptionsExtension(McpSessionsModelOptions modelOptions) : IDbContextOptionsExtension
{
    private ExtensionInfo? _info;

    public McpSessionsModelOptions ModelOptions { get; } = modelOptions;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
    }

    public void Validate(IDbContextOptions options)
    {
    }

    public static McpSessionsDbContextOptionsExtension? Find(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<McpSessionsDbContextOptionsExtension>();

    private sealed class ExtensionInfo(McpSessionsDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private new McpSessionsDbContextOptionsExtension Extension => (McpSessionsDbContextOptionsExtension)base.Extension;

        public override bool IsDatabaseProvider => false;

        public override string LogFragment =>
            $"McpSessions: table={Extension.ModelOptions.Schema}.{Extension.ModelOptions.TableName} ";

        public override int GetServiceProviderHashCode() =>
            HashCode.Combine(Extension.ModelOptions.TableName, Extension.ModelOptions.Schema);

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
            other is ExtensionInfo o
            && o.Extension.ModelOptions.TableName == Extension.ModelOptions.TableName
            && o.Extension.ModelOptions.Schema == Extension.ModelOptions.Schema;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
            debugInfo["McpSessions:TableName"] = Extension.ModelOptions.TableName;
            debugInfo["McpSessions:Schema"] = Extension.ModelOptions.Schema ?? "";
        }
    }
}
