using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Infrastructure;

/// <summary>
/// Carries the key ring into a context's options, so <c>ApplyMcpSessions</c> can read it while the model is built. EF
/// builds a model once per context type and caches it with the internal service provider (efcore#12205), and the value
/// converters capture the key ring: so contexts whose keys differ must not share one.
/// <see cref="ExtensionInfo.ShouldUseSameServiceProvider"/> compares the key ring's fingerprint (key ids, never key material).
/// </summary>
internal sealed class McpSessionsDbContextOptionsExtension(SessionKeyRing keyRing) : IDbContextOptionsExtension
{
    private ExtensionInfo? _info;

    public SessionKeyRing KeyRing { get; } = keyRing;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services) =>
        new EntityFrameworkServicesBuilder(services).TryAdd<IConventionSetPlugin, SessionsDbContextConventions>();

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

        public override int GetServiceProviderHashCode() =>
            Extension.KeyRing.Fingerprint.GetHashCode(StringComparison.Ordinal);

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
            other is ExtensionInfo o && o.Extension.KeyRing.Fingerprint == Extension.KeyRing.Fingerprint;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
            debugInfo["McpSessions:KeyRing"] = Extension.KeyRing.Fingerprint;
        }
    }
}
