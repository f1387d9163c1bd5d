using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpSessions.EF.Infrastructure;

/// <summary>
/// Carries the key ring into a context's options, so <c>ApplyMcpSessions</c> can read it while the model is built. The
/// value converters capture the key ring, so contexts whose keys differ must not share a model: the model cache key
/// holds the ring's fingerprint (key ids, never key material; <see cref="ModelCacheKeys"/>). They share EF's internal
/// service provider, so a process may use any number of key rings (EF refuses a twenty-first internal provider). The
/// library's own context usually skips all this: it runs on a compiled model bound to its ring (CompiledSessionsModel).
/// </summary>
internal sealed class McpSessionsDbContextOptionsExtension(SessionKeyRing? keyRing) : IDbContextOptionsExtension
{
    private ExtensionInfo? _info;

    /// <summary>The key ring; null at design time, where no secret is read or written.</summary>
    public SessionKeyRing? KeyRing { get; } = keyRing;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        new EntityFrameworkServicesBuilder(services).TryAdd<IConventionSetPlugin, SessionsDbContextConventions>();
        services.Replace(ServiceDescriptor.Singleton<IModelCacheKeyFactory, ModelCacheKeys>());
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

        public override string LogFragment => "McpSessions ";

        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
            debugInfo["McpSessions:KeyRing"] = Extension.KeyRing?.Fingerprint ?? "none";
        }
    }

    /// <summary>EF's model cache key (the context type, design time) plus the key ring's fingerprint.</summary>
    private sealed class ModelCacheKeys : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), designTime, Find(context)?.KeyRing?.Fingerprint);
    }
}
