using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using McpSessions.EF.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace McpSessions.EF.Storage;

/// <summary>
/// The store's insert and partial updates as EF Core relational commands, built once per shape from the context's
/// model (table and column names, type mappings with their value converters, so secrets are encrypted exactly as by
/// any EF write) and run through EF's command pipeline (connection management, interceptors, logging). It is what a
/// compiled query is to a read: SaveChanges costs change tracking for a single row that is never read back, and EF
/// Core 10 cannot compile ExecuteUpdate, so every update paid for building, funcletising and hashing its expression
/// tree. The SQL is the same as theirs. One instance per store, whose contexts share one model.
/// </summary>
internal sealed class SessionCommands
{
    private const string NowParameter = "now";
    private const string DormantCutoffParameter = "dormant_cutoff";

    /// <summary>The members of a <see cref="SessionUpdate"/> in the order their columns are set.</summary>
    private static readonly (SessionFields Field, string Property)[] UpdateMembers =
    [
        (SessionFields.UserId, nameof(McpSession.UserId)),
        (SessionFields.ServerId, nameof(McpSession.ServerId)),
        (SessionFields.ServerName, nameof(McpSession.ServerName)),
        (SessionFields.ServerUrl, nameof(McpSession.ServerUrl)),
        (SessionFields.CallbackUrl, nameof(McpSession.CallbackUrl)),
        (SessionFields.TransportType, nameof(McpSession.TransportType)),
        (SessionFields.Active, nameof(McpSession.Active)),
        (SessionFields.Headers, nameof(McpSession.Headers)),
        (SessionFields.ClientInformation, nameof(McpSession.ClientInformation)),
        (SessionFields.Tokens, nameof(McpSession.Tokens)),
        (SessionFields.CodeVerifier, nameof(McpSession.CodeVerifier)),
        (SessionFields.ClientId, nameof(McpSession.ClientId)),
    ];

    private readonly ConcurrentDictionary<SessionFields, IRelationalCommandTemplate> _updates = new();
    private Insert? _insert;

    /// <summary>
    /// Inserts <paramref name="session"/> (every mapped column) and, where the database generates the concurrency token
    /// (PostgreSQL's xmin), reads it back into <see cref="McpSession.Version"/>.
    /// </summary>
    /// <exception cref="Exception">The provider's own exception (a unique violation, a refused write); see <see cref="SessionsProvider"/>.</exception>
    public async Task InsertAsync(DbContext context, McpSession session, CancellationToken cancellationToken)
    {
        var insert = _insert ??= BuildInsert(context);
        var values = new Dictionary<string, object?>(insert.Columns.Length);
        foreach (var (name, property) in insert.Columns)
        {
            values[name] = property.GetGetter().GetClrValueUsingContainingEntity(session);
        }

        var connection = context.GetService<IRelationalConnection>();
        var command = Rent(connection, insert.Command);
        try
        {
            var parameters = Parameters(context, connection, values, CommandSource.SaveChanges);
            if (insert.Returned is null)
            {
                await command.ExecuteNonQueryAsync(parameters, cancellationToken).ConfigureAwait(false);
                return;
            }

            var reader = await command.ExecuteReaderAsync(parameters, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    session.Version = Convert.ToUInt32(reader.DbDataReader.GetValue(0), CultureInfo.InvariantCulture);
                }
            }
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    /// <summary>
    /// One UPDATE of the live session (<paramref name="identity"/>, <paramref name="sessionId"/>): <c>updated_at</c>, the
    /// members <paramref name="update"/> set (none for a touch) and the concurrency token. Returns the rows changed.
    /// </summary>
    public async Task<int> UpdateAsync(
        DbContext context, SessionsProvider provider, SessionClock clock, string identity, string sessionId, SessionUpdate? update, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fields = update?.Fields ?? SessionFields.None;
        var template = _updates.GetOrAdd(fields, static (shape, state) => BuildUpdate(state.context, state.provider, shape), (context, provider));

        var values = new Dictionary<string, object?>(6)
        {
            [nameof(McpSession.SessionId)] = sessionId,
            [nameof(McpSession.Identity)] = identity,
            [NowParameter] = now,
            [DormantCutoffParameter] = clock.DormantCutoff(now),
        };
        if (update is not null)
        {
            AddValues(values, update, clock, now);
        }

        var connection = context.GetService<IRelationalConnection>();
        var command = Rent(connection, template);
        try
        {
            return await command.ExecuteNonQueryAsync(Parameters(context, connection, values, CommandSource.ExecuteUpdate), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    /// <summary>
    /// A command of <paramref name="connection"/>'s own filled from the shared <paramref name="template"/>, as EF does
    /// for a compiled query: a command keeps per-execution state (its reader) and must not run twice at once.
    /// </summary>
    private static IRelationalCommand Rent(IRelationalConnection connection, IRelationalCommandTemplate template)
    {
        var command = connection.RentCommand();
        command.PopulateFrom(template);
        return command;
    }

    private static void AddValues(Dictionary<string, object?> values, SessionUpdate update, SessionClock clock, DateTimeOffset now)
    {
        foreach (var (field, property) in UpdateMembers)
        {
            if (!update.IsSet(field))
            {
                continue;
            }

            values[property] = field switch
            {
                SessionFields.UserId => update.UserId,
                SessionFields.ServerId => update.ServerId,
                SessionFields.ServerName => update.ServerName,
                SessionFields.ServerUrl => update.ServerUrl,
                SessionFields.CallbackUrl => update.CallbackUrl,
                SessionFields.TransportType => update.TransportType,
                SessionFields.Active => update.Active,
                SessionFields.Headers => update.Headers,
                SessionFields.ClientInformation => update.ClientInformation,
                SessionFields.Tokens => update.Tokens,
                SessionFields.CodeVerifier => update.CodeVerifier,
                _ => update.ClientId,
            };
            if (field == SessionFields.Active)
            {
                values[nameof(McpSession.ExpiresAt)] = clock.ExpiresAt(update.Active, now);
            }
        }
    }

    private static RelationalCommandParameterObject Parameters(DbContext context, IRelationalConnection connection, Dictionary<string, object?> values, CommandSource source) => new(
        connection,
        values,
        readerColumns: null,
        context,
        context.GetService<IRelationalCommandDiagnosticsLogger>(),
        source);

    private static Insert BuildInsert(DbContext context)
    {
        var table = new Table(context);
        var insertable = table.Entity.GetProperties()
            .Where(p => !p.IsShadowProperty() && p.ValueGenerated != Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAddOrUpdate)
            .ToArray();
        var returned = table.Entity.GetProperties().FirstOrDefault(p => p.Name == nameof(McpSession.Version) && p.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAddOrUpdate);

        var builder = table.CommandBuilder();
        var sql = new StringBuilder("INSERT INTO ").Append(table.Name).Append(" (")
            .AppendJoin(", ", insertable.Select(table.Column))
            .Append(") VALUES (")
            .AppendJoin(", ", insertable.Select(p => table.Parameter(builder, p.Name, p)))
            .Append(')');
        if (returned is not null)
        {
            sql.Append(" RETURNING ").Append(table.Column(returned));
        }

        return new Insert(builder.Append(sql.ToString()).Build(), insertable.Select(p => (p.Name, p)).ToArray(), returned);
    }

    private static IRelationalCommandTemplate BuildUpdate(DbContext context, SessionsProvider provider, SessionFields fields)
    {
        var table = new Table(context);
        var builder = table.CommandBuilder();
        var set = new List<string> { $"{table.Column(nameof(McpSession.UpdatedAt))} = {table.Parameter(builder, NowParameter, nameof(McpSession.UpdatedAt))}" };
        foreach (var (field, property) in UpdateMembers)
        {
            if ((fields & field) == field)
            {
                set.Add($"{table.Column(property)} = {table.Parameter(builder, property, property)}");
                if (field == SessionFields.Active)
                {
                    set.Add($"{table.Column(nameof(McpSession.ExpiresAt))} = {table.Parameter(builder, nameof(McpSession.ExpiresAt), nameof(McpSession.ExpiresAt))}");
                }
            }
        }

        if (!provider.MovesVersionItself)
        {
            var version = table.Column(nameof(McpSession.Version));
            set.Add($"{version} = {version} + 1");
        }

        // The key, then SPEC §4's live predicate, as SessionClock.IsLive writes it.
        var (active, updatedAt, expiresAt) = (table.Column(nameof(McpSession.Active)), table.Column(nameof(McpSession.UpdatedAt)), table.Column(nameof(McpSession.ExpiresAt)));
        var sql = new StringBuilder("UPDATE ").Append(table.Name).Append(" SET ").AppendJoin(", ", set)
            .Append(" WHERE ").Append(table.Column(nameof(McpSession.SessionId))).Append(" = ").Append(table.Parameter(builder, nameof(McpSession.SessionId), nameof(McpSession.SessionId)))
            .Append(" AND ").Append(table.Column(nameof(McpSession.Identity))).Append(" = ").Append(table.Parameter(builder, nameof(McpSession.Identity), nameof(McpSession.Identity)))
            .Append(CultureInfo.InvariantCulture, $" AND (({active} AND {updatedAt} >= {table.Parameter(builder, DormantCutoffParameter, nameof(McpSession.UpdatedAt))})")
            .Append(CultureInfo.InvariantCulture, $" OR (NOT ({active}) AND {expiresAt} > {table.Placeholder(NowParameter)}))");
        return builder.Append(sql.ToString()).Build();
    }

    private sealed record Insert(IRelationalCommandTemplate Command, (string Name, IProperty Property)[] Columns, IProperty? Returned);

    /// <summary>The session table of a context's model, and the SQL names of its parts.</summary>
    private sealed class Table
    {
        private readonly DbContext _context;
        private readonly ISqlGenerationHelper _sql;
        private readonly StoreObjectIdentifier _table;

        public Table(DbContext context)
        {
            _context = context;
            _sql = context.GetService<ISqlGenerationHelper>();
            Entity = context.Model.FindEntityType(typeof(McpSession))
                ?? throw new InvalidOperationException($"{context.GetType().Name} does not map McpSession.");
            _table = StoreObjectIdentifier.Table(Entity.GetTableName()!, Entity.GetSchema());
            Name = _sql.DelimitIdentifier(_table.Name, _table.Schema);
        }

        public IEntityType Entity { get; }

        public string Name { get; }

        public IRelationalCommandBuilder CommandBuilder() => _context.GetService<IRelationalCommandBuilderFactory>().Create();

        public string Column(string property) => Column(Entity.GetProperty(property));

        public string Column(IProperty property) => _sql.DelimitIdentifier(property.GetColumnName(_table)!);

        public string Placeholder(string name) => _sql.GenerateParameterNamePlaceholder(name);

        /// <summary>Adds parameter <paramref name="name"/>, typed as <paramref name="property"/>'s column; returns its placeholder.</summary>
        public string Parameter(IRelationalCommandBuilder builder, string name, string property) => Parameter(builder, name, Entity.GetProperty(property));

        public string Parameter(IRelationalCommandBuilder builder, string name, IProperty property)
        {
            builder.AddParameter(name, _sql.GenerateParameterName(name), property.GetRelationalTypeMapping(), property.IsNullable);
            return Placeholder(name);
        }
    }
}
