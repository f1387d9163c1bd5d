using System.Collections.Concurrent;
using System.Data.Common;
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
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace McpSessions.EF.Storage;

/// <summary>
/// The store's single-row statements (insert, partial updates, get and delete by key) and its list, as EF Core
/// relational commands built once per shape from the context's model: table and column names, and type mappings with
/// their value converters, so secrets are encrypted and decrypted exactly as by any EF read or write. They run through
/// EF's command pipeline (connection management, interceptors, logging), or on the library's own SQLite database as
/// prepared statements (<see cref="SqlitePreparedStatements"/>). It is what a compiled query is to a read, without its
/// costs: SaveChanges tracks a single row that is never read back, EF Core 10 cannot compile ExecuteUpdate (so every
/// update built, funcletised and hashed its expression tree), and a compiled query created its shaper delegate on every
/// execution. The SQL is the same as theirs. One instance per store, whose contexts share one model.
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
    private Read? _get;
    private Read? _list;
    private IRelationalCommandTemplate? _delete;
    private Table? _table;

    /// <summary>Whether the model's names and type mappings are known (<see cref="Bind"/>), so every shape can be built.</summary>
    public bool IsBound => _table is not null;

    private Table BoundTable => _table ?? throw new InvalidOperationException("SessionCommands is not bound to a model yet.");

    /// <summary>Takes the table, column names and type mappings from <paramref name="context"/>'s model, the first time.</summary>
    public void Bind(DbContext context) => _table ??= new Table(context);

    /// <summary>
    /// Inserts <paramref name="session"/> (every mapped column) and, where the database generates the concurrency token
    /// (PostgreSQL's xmin), reads it back into <see cref="McpSession.Version"/>.
    /// </summary>
    /// <exception cref="Exception">The provider's own exception (a unique violation, a refused write); see <see cref="SessionsProvider"/>.</exception>
    public async Task InsertAsync(DbContext context, McpSession session, CancellationToken cancellationToken)
    {
        Bind(context);
        var insert = InsertShape();
        var values = InsertValues(insert, session);

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

    /// <summary>The INSERT of every mapped column, built on first use from the bound model.</summary>
    public Insert InsertShape() => _insert ??= BuildInsert(BoundTable);

    /// <summary>The parameter values of <paramref name="insert"/> for <paramref name="session"/>, keyed by invariant name.</summary>
    public static Dictionary<string, object?> InsertValues(Insert insert, McpSession session)
    {
        var values = new Dictionary<string, object?>(insert.Columns.Length);
        foreach (var (name, property) in insert.Columns)
        {
            values[name] = property.GetGetter().GetClrValueUsingContainingEntity(session);
        }

        return values;
    }

    /// <summary>
    /// One UPDATE of the live session (<paramref name="identity"/>, <paramref name="sessionId"/>): <c>updated_at</c>, the
    /// members <paramref name="update"/> set (none for a touch) and the concurrency token. Returns the rows changed.
    /// </summary>
    public async Task<int> UpdateAsync(
        DbContext context, SessionsProvider provider, SessionClock clock, string identity, string sessionId, SessionUpdate? update, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Bind(context);
        var template = UpdateShape(provider, update?.Fields ?? SessionFields.None);
        var values = UpdateValues(clock, identity, sessionId, update, now);

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

    /// <summary>The UPDATE that sets <paramref name="fields"/> (none for a touch), built once per set of fields.</summary>
    public IRelationalCommandTemplate UpdateShape(SessionsProvider provider, SessionFields fields) =>
        _updates.GetOrAdd(fields, static (shape, state) => BuildUpdate(state.table, state.provider, shape), (table: BoundTable, provider));

    /// <summary>The parameter values of an update shape, keyed by invariant name.</summary>
    public static Dictionary<string, object?> UpdateValues(SessionClock clock, string identity, string sessionId, SessionUpdate? update, DateTimeOffset now)
    {
        var values = KeyValues(identity, sessionId, clock, now);
        if (update is not null)
        {
            AddValues(values, update, clock, now);
        }

        return values;
    }

    /// <summary>The SELECT of one live session by key: every mapped column, in <see cref="Read.Columns"/> order.</summary>
    public Read GetShape() => _get ??= BuildGet(BoundTable);

    /// <summary>The SELECT of an identity's live sessions, oldest first: every mapped column, in <see cref="Read.Columns"/> order.</summary>
    public Read ListShape() => _list ??= BuildList(BoundTable);

    /// <summary>
    /// Reads the live session (<paramref name="identity"/>, <paramref name="sessionId"/>) through EF's command pipeline
    /// (connection, interceptors, logging) with <see cref="Read.Materialize"/>: one round trip, no query compilation or
    /// shaper delegate per call.
    /// </summary>
    public async Task<McpSession?> GetAsync(DbContext context, SessionClock clock, string identity, string sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Bind(context);
        var get = GetShape();
        var sessions = await ReadAsync(context, get, KeyValues(identity, sessionId, clock, now), single: true, cancellationToken).ConfigureAwait(false);
        return sessions.Count == 0 ? null : sessions[0];
    }

    /// <summary>Reads <paramref name="identity"/>'s live sessions, oldest first, as <see cref="GetAsync"/> reads one.</summary>
    public async Task<List<McpSession>> ListAsync(DbContext context, SessionClock clock, string identity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Bind(context);
        return await ReadAsync(context, ListShape(), KeyValues(identity, sessionId: null, clock, now), single: false, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<McpSession>> ReadAsync(DbContext context, Read read, Dictionary<string, object?> values, bool single, CancellationToken cancellationToken)
    {
        var connection = context.GetService<IRelationalConnection>();
        var command = Rent(connection, read.Command);
        try
        {
            var reader = await command.ExecuteReaderAsync(Parameters(context, connection, values, CommandSource.LinqQuery), cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var sessions = new List<McpSession>(single ? 1 : 8);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    sessions.Add(read.Materialize(reader.DbDataReader));
                    if (single)
                    {
                        break;
                    }
                }

                return sessions;
            }
        }
        finally
        {
            connection.ReturnCommand(command);
        }
    }

    /// <summary>The DELETE of one session by key, whatever its state.</summary>
    public IRelationalCommandTemplate DeleteShape() => _delete ??= BuildDelete(BoundTable);

    /// <summary>The parameter values of <see cref="GetShape"/> (with the live predicate's times) or <see cref="DeleteShape"/>.</summary>
    public static Dictionary<string, object?> KeyValues(string identity, string? sessionId, SessionClock? clock = null, DateTimeOffset now = default)
    {
        var values = new Dictionary<string, object?>(8) { [nameof(McpSession.Identity)] = identity };
        if (sessionId is not null)
        {
            values[nameof(McpSession.SessionId)] = sessionId;
        }

        if (clock is not null)
        {
            values[NowParameter] = now;
            values[DormantCutoffParameter] = clock.DormantCutoff(now);
        }

        return values;
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

    private static Insert BuildInsert(Table table)
    {
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

    private static IRelationalCommandTemplate BuildUpdate(Table table, SessionsProvider provider, SessionFields fields)
    {
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

        var sql = new StringBuilder("UPDATE ").Append(table.Name).Append(" SET ").AppendJoin(", ", set);
        AppendKey(sql, table, builder);
        AppendLive(sql, table, builder);
        return builder.Append(sql.ToString()).Build();
    }

    private static Read BuildGet(Table table) => BuildRead(table, AppendKey, " LIMIT 1");

    private static Read BuildList(Table table) => BuildRead(
        table,
        static (sql, table, builder) => sql.Append(" WHERE ").Append(table.Column(nameof(McpSession.Identity))).Append(" = ")
            .Append(table.Parameter(builder, nameof(McpSession.Identity), nameof(McpSession.Identity))),
        $" ORDER BY {table.Column(nameof(McpSession.CreatedAt))}, {table.Column(nameof(McpSession.SessionId))}");

    /// <summary>A SELECT of every mapped column of the live sessions <paramref name="filter"/> picks, then <paramref name="tail"/>.</summary>
    private static Read BuildRead(Table table, Action<StringBuilder, Table, IRelationalCommandBuilder> filter, string tail)
    {
        var builder = table.CommandBuilder();
        var columns = table.Entity.GetProperties().Where(p => !p.IsShadowProperty()).ToArray();
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", columns.Select(table.Column)).Append(" FROM ").Append(table.Name);
        builder.AddParameter(NowParameter, table.ParameterName(NowParameter), table.Entity.GetProperty(nameof(McpSession.ExpiresAt)).GetRelationalTypeMapping(), nullable: false);
        filter(sql, table, builder);
        AppendLive(sql, table, builder);
        sql.Append(tail);
        return new Read(builder.Append(sql.ToString()).Build(), columns.Select(ReadColumn.For).ToArray());
    }

    private static IRelationalCommandTemplate BuildDelete(Table table)
    {
        var builder = table.CommandBuilder();
        var sql = new StringBuilder("DELETE FROM ").Append(table.Name);
        AppendKey(sql, table, builder);
        return builder.Append(sql.ToString()).Build();
    }

    /// <summary>SPEC §4's live predicate, as <see cref="SessionClock.IsLive"/> writes it. The caller has added the <c>now</c> parameter already.</summary>
    private static void AppendLive(StringBuilder sql, Table table, IRelationalCommandBuilder builder)
    {
        var (active, updatedAt, expiresAt) = (table.Column(nameof(McpSession.Active)), table.Column(nameof(McpSession.UpdatedAt)), table.Column(nameof(McpSession.ExpiresAt)));
        sql.Append(CultureInfo.InvariantCulture, $" AND (({active} AND {updatedAt} >= {table.Parameter(builder, DormantCutoffParameter, nameof(McpSession.UpdatedAt))})")
            .Append(CultureInfo.InvariantCulture, $" OR (NOT ({active}) AND {expiresAt} > {table.Placeholder(NowParameter)}))");
    }

    private static void AppendKey(StringBuilder sql, Table table, IRelationalCommandBuilder builder) =>
        sql.Append(" WHERE ").Append(table.Column(nameof(McpSession.SessionId))).Append(" = ").Append(table.Parameter(builder, nameof(McpSession.SessionId), nameof(McpSession.SessionId)))
            .Append(" AND ").Append(table.Column(nameof(McpSession.Identity))).Append(" = ").Append(table.Parameter(builder, nameof(McpSession.Identity), nameof(McpSession.Identity)));

    /// <summary>An INSERT: its command, the columns it sets (by parameter name), and the column it reads back, if any.</summary>
    internal sealed record Insert(IRelationalCommandTemplate Command, (string Name, IProperty Property)[] Columns, IProperty? Returned);

    /// <summary>A SELECT of whole sessions: its command and how to read its columns into a session, in order.</summary>
    internal sealed record Read(IRelationalCommandTemplate Command, ReadColumn[] Columns)
    {
        /// <summary>
        /// The session in the current row of <paramref name="reader"/>, each column read as its type mapping's provider
        /// type and converted by the property's value converter, as EF's materializer does.
        /// </summary>
        /// <exception cref="Encryption.SecretDecryptionException">A secret column does not decrypt.</exception>
        public McpSession Materialize(DbDataReader reader)
        {
            var session = new McpSession();
            for (var i = 0; i < Columns.Length; i++)
            {
                Columns[i].Read(reader, i, session);
            }

            return session;
        }
    }

    /// <summary>One column of a <see cref="Read"/>: its provider type, its value converter and its property's setter.</summary>
    internal sealed class ReadColumn
    {
        private readonly Type _providerType;
        private readonly ValueConverter? _converter;
        private readonly Action<McpSession, object> _setter;

        private ReadColumn(IProperty property)
        {
            var mapping = property.GetRelationalTypeMapping();
            _converter = mapping.Converter;
            _providerType = Nullable.GetUnderlyingType(_converter?.ProviderClrType ?? mapping.ClrType) ?? _converter?.ProviderClrType ?? mapping.ClrType;
            _setter = Setter(property.PropertyInfo ?? throw new InvalidOperationException($"McpSession.{property.Name} has no CLR property."));
        }

        public static ReadColumn For(IProperty property) => new(property);

        public void Read(DbDataReader reader, int ordinal, McpSession session)
        {
            if (reader.IsDBNull(ordinal))
            {
                return; // a new session's members are null already
            }

            object value = _providerType switch
            {
                _ when _providerType == typeof(string) => reader.GetString(ordinal),
                _ when _providerType == typeof(long) => reader.GetInt64(ordinal),
                _ when _providerType == typeof(int) => reader.GetInt32(ordinal),
                _ when _providerType == typeof(bool) => reader.GetBoolean(ordinal),
                _ when _providerType == typeof(Guid) => reader.GetGuid(ordinal),
                _ when _providerType == typeof(uint) => reader.GetFieldType(ordinal) == typeof(long) ? checked((uint)reader.GetInt64(ordinal)) : reader.GetFieldValue<uint>(ordinal),
                _ when _providerType == typeof(DateTimeOffset) => reader.GetFieldValue<DateTimeOffset>(ordinal),
                _ => Convert.ChangeType(reader.GetValue(ordinal), _providerType, CultureInfo.InvariantCulture),
            };
            _setter(session, (_converter is null ? value : _converter.ConvertFromProvider(value))!);
        }

        /// <summary>(session, value) => session.Property = (T)value, compiled once.</summary>
        private static Action<McpSession, object> Setter(System.Reflection.PropertyInfo property)
        {
            var session = System.Linq.Expressions.Expression.Parameter(typeof(McpSession), "session");
            var value = System.Linq.Expressions.Expression.Parameter(typeof(object), "value");
            return System.Linq.Expressions.Expression.Lambda<Action<McpSession, object>>(
                System.Linq.Expressions.Expression.Assign(
                    System.Linq.Expressions.Expression.Property(session, property),
                    System.Linq.Expressions.Expression.Convert(value, property.PropertyType)),
                session,
                value).Compile();
        }
    }

    /// <summary>The session table of a context's model, and the SQL names of its parts.</summary>
    private sealed class Table
    {
        private readonly IRelationalCommandBuilderFactory _commands;
        private readonly ISqlGenerationHelper _sql;
        private readonly StoreObjectIdentifier _table;

        public Table(DbContext context)
        {
            _commands = context.GetService<IRelationalCommandBuilderFactory>();
            _sql = context.GetService<ISqlGenerationHelper>();
            Entity = context.Model.FindEntityType(typeof(McpSession))
                ?? throw new InvalidOperationException($"{context.GetType().Name} does not map McpSession.");
            _table = StoreObjectIdentifier.Table(Entity.GetTableName()!, Entity.GetSchema());
            Name = _sql.DelimitIdentifier(_table.Name, _table.Schema);
        }

        public IEntityType Entity { get; }

        public string Name { get; }

        public IRelationalCommandBuilder CommandBuilder() => _commands.Create();

        public string Column(string property) => Column(Entity.GetProperty(property));

        public string Column(IProperty property) => _sql.DelimitIdentifier(property.GetColumnName(_table)!);

        public string Placeholder(string name) => _sql.GenerateParameterNamePlaceholder(name);

        public string ParameterName(string name) => _sql.GenerateParameterName(name);

        /// <summary>Adds parameter <paramref name="name"/>, typed as <paramref name="property"/>'s column; returns its placeholder.</summary>
        public string Parameter(IRelationalCommandBuilder builder, string name, string property) => Parameter(builder, name, Entity.GetProperty(property));

        public string Parameter(IRelationalCommandBuilder builder, string name, IProperty property)
        {
            builder.AddParameter(name, _sql.GenerateParameterName(name), property.GetRelationalTypeMapping(), property.IsNullable);
            return Placeholder(name);
        }
    }
}
