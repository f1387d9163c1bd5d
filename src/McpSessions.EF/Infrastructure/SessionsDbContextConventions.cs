using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace McpSessions.EF.Infrastructure;

/// <summary>
/// Builds the library's own <see cref="SessionsDbContext"/> model without the conventions that look for
/// relationships, navigations and inheritance: its one entity has none, and its class-typed members (headers, client
/// information, tokens) are columns with converters, which those conventions would first try as related entity
/// types and then undo. Less work and much less code to JIT on a process's first store call (issue 18). A host's own
/// context, or one derived from <see cref="SessionsDbContext"/>, keeps every convention. The migrations snapshot check
/// in scripts/test.sh shows the model is unchanged.
/// </summary>
internal sealed class SessionsDbContextConventions(ICurrentDbContext current) : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        if (current.Context.GetType() != typeof(SessionsDbContext))
        {
            return conventionSet;
        }

        conventionSet.Remove(typeof(RelationshipDiscoveryConvention));
        conventionSet.Remove(typeof(ServicePropertyDiscoveryConvention));
        conventionSet.Remove(typeof(InversePropertyAttributeConvention));
        conventionSet.Remove(typeof(ForeignKeyAttributeConvention));
        conventionSet.Remove(typeof(ForeignKeyPropertyDiscoveryConvention));
        conventionSet.Remove(typeof(ForeignKeyIndexConvention));
        conventionSet.Remove(typeof(NavigationEagerLoadingConvention));
        conventionSet.Remove(typeof(ManyToManyJoinEntityTypeConvention));
        conventionSet.Remove(typeof(BaseTypeDiscoveryConvention));
        return conventionSet;
    }
}
