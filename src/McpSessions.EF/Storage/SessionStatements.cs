using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace McpSessions.EF.Storage;

/// <summary>
/// Every statement the library runs on the session table, built once per model from the context's model: the table,
/// schema and column names, and each parameter typed by its column's type mapping with the property's value converter,
/// so secrets are encrypted and decrypted exactly as by any EF read or write. The live predicate comes from
/// <see cref="SessionClock.LiveSql"/>; what differs by provider comes from <see cref="SessionsProvider"/>. A
/// <see cref="SessionCommandRunner{TContext}"/> runs them.
/// </summary>
/// <remarks>
/// Why not LINQ: EF Core 10 cannot compile <c>ExecuteUpdate</c> (every partial update built, funcletised and hashed its
/// expression tree), a compiled query still created its shaper delegate per execution, and <c>SaveChanges</c> tracks a
/// row that is never read back. The SQL is the same as theirs, and every statement still runs through EF's pipeline
/// (logging, diagnostics, interceptors) or the prepared SQLite runner that reports to it.
/// </remarks>
internal sealed class SessionStatements
{
    public const string NowParameter = "now";
    public const string DormantCutoffParameter = "dormant_cutoff";
    public const string AfterParameter = "after";
    public const string AfterCreatedParameter = "after_created";
    public const string LimitParameter = "limit";

    private static readonly ConditionalWeakTable<IModel, SessionStatements> ByModel = [];

    private readonly Table _table;
    private readonly ConcurrentDictionary<SessionFields, IRelationalCommandTemplate> _updates = new();
    private readonly ConcurrentDictionary<SummaryFilter, Read> _summaries = new();

    private SessionStatements(DbContext context)
    {
        Provider = SessionsProvider.For(context.Database);
        _table = new Table(context);
        var t = _table;
        var all = t.Entity.GetProperties().Where(p => !p.IsShadowProperty()).ToArray();
        Session = new Materializer(all);

        Insert = BuildInsert();
        Get = Select(all, $"WHERE {Key()} AND {Live()} LIMIT 1");
        Find = Select(all, $"WHERE {Key()}");
        List = Select(all, $"WHERE {Eq(nameof(McpSession.Identity))} AND {Live()} ORDER BY {Col(nameof(McpSession.CreatedAt))}, {Col(nameof(McpSession.SessionId))}");
        ListIds = Build($"SELECT {Col(nameof(McpSession.SessionId))} FROM {t.Name} WHERE {Eq(nameof(McpSession.Identity))} AND {Live()} ORDER BY {Col(nameof(McpSession.CreatedAt))}, {Col(nameof(McpSession.SessionId))}");
        AllIdsPage = Build($"SELECT {Col(nameof(McpSession.SessionId))} FROM {t.Name} WHERE {After()} AND {Live()} ORDER BY {Col(nameof(McpSession.SessionId))} LIMIT {Limit()}");
        ExportPage = Select(all, $"WHERE {After()} ORDER BY {Col(nameof(McpSession.SessionId))} LIMIT {Limit()}");
        Delete = Build($"DELETE FROM {t.Name} WHERE {Key()}");
        DeleteById = Build($"DELETE FROM {t.Name} WHERE {Eq(nameof(McpSession.SessionId))}");
        DeleteAll = Build($"DELETE FROM {t.Name}");
        CleanupBatch = Build(Provider.DeleteBatchSql(t.Name, Col(nameof(McpSession.Id)), NotLive(), Col(nameof(McpSession.ExpiresAt)), Limit()));
        Count = Build($"SELECT COUNT(*) FROM {t.Name}");
        CountNotLive = Build($"SELECT COUNT(*) FROM {t.Name} WHERE {NotLive()}");
        CountByState = Build(
            $"SELECT CASE WHEN {Col(nameof(McpSession.Active))} THEN 1 ELSE 0 END, CASE WHEN {Live()} THEN 1 ELSE 0 END, COUNT(*) FROM {t.Name} GROUP BY 1, 2");
        CountIdentities = Build($"SELECT COUNT(DISTINCT {Col(nameof(McpSession.Identity))}) FROM {t.Name}");
        TopIdentities = Build(
            $"SELECT {Col(nameof(McpSession.Identity))}, COUNT(*) FROM {t.Name} GROUP BY {Col(nameof(McpSession.Identity))} ORDER BY 2 DESC, 1 LIMIT {Limit()}");
        Probe = Select(all, "WHERE 1 = 0");
        DatabaseSize = Build(Provider.DatabaseSizeSql);

        // The re-encryption page: whole sessions, then each secret column's stored text (which key wrote it).
        SecretColumns = [.. Encryption.SecretColumns.All.Select(c => (t.Entity.GetProperty(c.ToString()), c))];
        ReencryptPage = Build(
            $"SELECT {string.Join(", ", all.Select(t.Column))}, {string.Join(", ", SecretColumns.Select(c => Provider.JsonAsText(t.Column(c.Property))))} FROM {t.Name} "
            + $"WHERE {After()} ORDER BY {Col(nameof(McpSession.SessionId))} LIMIT {Limit()}");
        var version = t.Entity.GetProperty(nameof(McpSession.Version));
        Reencrypt = Build(
            $"UPDATE {t.Name} SET {string.Join(", ", SecretColumns.Select(c => $"{t.Column(c.Property)} = {Param(c.Property.Name, c.Property)}").Concat(VersionBump()))} "
            + $"WHERE {Eq(nameof(McpSession.Id))} AND {t.Column(version)} = {Param(nameof(McpSession.Version), version)}");
    }

    /// <summary>The statements of <paramref name="context"/>'s model, built the first time they are asked for.</summary>
    public static SessionStatements For(DbContext context) => ByModel.GetValue(context.Model, _ => new SessionStatements(context));

    public SessionsProvider Provider { get; }

    /// <summary>The session table, delimited, for messages.</summary>
    public string TableName => _table.Name;

    /// <summary>Reads every mapped column, in the order of <see cref="Get"/>, <see cref="Find"/>, <see cref="List"/> and <see cref="ExportPage"/>.</summary>
    public Materializer Session { get; }

    /// <summary>Every mapped column; on PostgreSQL it reads back the <c>xmin</c> the insert gave the row.</summary>
    public InsertStatement Insert { get; }

    public Read Get { get; }

    /// <summary>One session by key, whatever its state.</summary>
    public Read Find { get; }

    public Read List { get; }

    public IRelationalCommandTemplate ListIds { get; }

    public IRelationalCommandTemplate AllIdsPage { get; }

    public Read ExportPage { get; }

    public IRelationalCommandTemplate Delete { get; }

    /// <summary>The row with a session id, whatever its identity (an import replaces it).</summary>
    public IRelationalCommandTemplate DeleteById { get; }

    public IRelationalCommandTemplate DeleteAll { get; }

    /// <summary>At most <c>limit</c> rows that are no longer live, oldest expiry first, in one statement.</summary>
    public IRelationalCommandTemplate CleanupBatch { get; }

    public IRelationalCommandTemplate Count { get; }

    public IRelationalCommandTemplate CountNotLive { get; }

    /// <summary>(active 1/0, live 1/0, count) per combination: <see cref="SessionClock.StateOf"/> in one grouped scan.</summary>
    public IRelationalCommandTemplate CountByState { get; }

    public IRelationalCommandTemplate CountIdentities { get; }

    public IRelationalCommandTemplate TopIdentities { get; }

    /// <summary>The size in bytes of the whole database, not only the session table.</summary>
    public IRelationalCommandTemplate DatabaseSize { get; }

    /// <summary>Selects every mapped column of no row: it fails when the table or a column is missing.</summary>
    public Read Probe { get; }

    /// <summary>The columns of <see cref="Session"/>, then the stored text of <see cref="SecretColumns"/>.</summary>
    public IRelationalCommandTemplate ReencryptPage { get; }

    /// <summary>Writes the secret columns of one row, guarded by its concurrency token; leaves <c>updated_at</c> alone.</summary>
    public IRelationalCommandTemplate Reencrypt { get; }

    /// <summary>The encrypted members (each <see cref="Encryption.SecretColumn"/> is named as its property), in <see cref="ReencryptPage"/>'s order.</summary>
    public IReadOnlyList<(IProperty Property, Encryption.SecretColumn Column)> SecretColumns { get; }

    /// <summary>
    /// The UPDATE of a live session by key that sets <c>updated_at</c>, the members in <paramref name="fields"/> (none for
    /// a touch; <c>expires_at</c> with <c>active</c>) and the concurrency token. Built once per set of fields.
    /// </summary>
    public IRelationalCommandTemplate Update(SessionFields fields) => _updates.GetOrAdd(fields, f => Locked(() => BuildUpdate(f)));

    /// <summary>A page of sessions without their secret columns, keyset-paged on (created_at, session_id).</summary>
    public Read Summaries(bool byIdentity, bool liveOnly) => _summaries.GetOrAdd(new SummaryFilter(byIdentity, liveOnly), f => Locked(() => BuildSummaries(f)));

    /// <summary>The parameter values that bind the key, and the live predicate's times when <paramref name="clock"/> is given.</summary>
    public static StatementValues Values(string? identity, string? sessionId, SessionClock? clock = null, DateTimeOffset now = default)
    {
        var values = new StatementValues();
        if (identity is not null)
        {
            values[nameof(McpSession.Identity)] = identity;
        }

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

    /// <summary>The values of <see cref="Update"/>: the key, the times, and each member <paramref name="update"/> sets.</summary>
    public static StatementValues UpdateValues(SessionClock clock, string identity, string sessionId, SessionUpdate? update, DateTimeOffset now)
    {
        var values = Values(identity, sessionId, clock, now);
        if (update is not null)
        {
            foreach (var field in SessionUpdate.All)
            {
                if (update.IsSet(field))
                {
                    values[field.ToString()] = update.Get(field);
                }
            }

            if (update.IsSet(SessionFields.Active))
            {
                values[nameof(McpSession.ExpiresAt)] = clock.ExpiresAt(update.Active, now);
            }
        }

        return values;
    }

    /// <summary>Column <paramref name="ordinal"/> as a count (bigint on PostgreSQL, integer on SQLite).</summary>
    public static long ReadCount(DbDataReader reader, int ordinal = 0) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>The values of <see cref="Insert"/> for <paramref name="session"/>.</summary>
    public StatementValues InsertValues(McpSession session)
    {
        var values = new StatementValues(Insert.Columns.Length);
        foreach (var property in Insert.Columns)
        {
            values[property.Name] = property.GetGetter().GetClrValueUsingContainingEntity(session);
        }

        return values;
    }

    private InsertStatement BuildInsert()
    {
        var t = _table;
        var columns = t.Entity.GetProperties().Where(p => !p.IsShadowProperty() && p.ValueGenerated != ValueGenerated.OnAddOrUpdate).ToArray();
        var returned = t.Entity.GetProperties().FirstOrDefault(p => p.Name == nameof(McpSession.Version) && p.ValueGenerated == ValueGenerated.OnAddOrUpdate);
        var sql = $"INSERT INTO {t.Name} ({string.Join(", ", columns.Select(t.Column))}) VALUES ({string.Join(", ", columns.Select(p => Param(p.Name, p)))})"
            + (returned is null ? "" : $" RETURNING {t.Column(returned)}");
        return new InsertStatement(Build(sql), columns, returned is null ? null : new Materializer([returned]));
    }

    private IRelationalCommandTemplate BuildUpdate(SessionFields fields)
    {
        var set = new List<string> { $"{Col(nameof(McpSession.UpdatedAt))} = {Param(NowParameter, nameof(McpSession.UpdatedAt))}" };
        foreach (var field in SessionUpdate.All)
        {
            if ((fields & field) == field)
            {
                set.Add($"{Col(field.ToString())} = {Param(field.ToString(), field.ToString())}");
                if (field == SessionFields.Active)
                {
                    set.Add($"{Col(nameof(McpSession.ExpiresAt))} = {Param(nameof(McpSession.ExpiresAt), nameof(McpSession.ExpiresAt))}");
                }
            }
        }

        return Build($"UPDATE {_table.Name} SET {string.Join(", ", set.Concat(VersionBump()))} WHERE {Key()} AND {Live()}");
    }

    private Read BuildSummaries(SummaryFilter filter)
    {
        var created = Col(nameof(McpSession.CreatedAt));
        var createdAfter = Param(AfterCreatedParameter, nameof(McpSession.CreatedAt));
        var where = new List<string> { $"({created} > {createdAfter} OR ({created} = {createdAfter} AND {After()}))" };
        if (filter.ByIdentity)
        {
            where.Add(Eq(nameof(McpSession.Identity)));
        }

        if (filter.LiveOnly)
        {
            where.Add(Live());
        }

        return Select(
            [.. _table.Entity.GetProperties().Where(p => !p.IsShadowProperty() && !SecretColumns.Any(c => c.Property == p))],
            $"WHERE {string.Join(" AND ", where)} ORDER BY {Col(nameof(McpSession.CreatedAt))}, {Col(nameof(McpSession.SessionId))} LIMIT {Limit()}");
    }

    // The builders below add parameters to the command being built; Build takes them with the SQL. Statements built
    // after the constructor (update shapes, summary pages) are built one at a time.
    private IRelationalCommandBuilder? _builder;

    private T Locked<T>(Func<T> build)
    {
        lock (_table)
        {
            return build();
        }
    }

    private IRelationalCommandBuilder Builder => _builder ??= _table.CommandBuilder();

    private IRelationalCommandTemplate Build(string sql)
    {
        var template = Builder.Append(sql).Build();
        _builder = null;
        return template;
    }

    private Read Select(IProperty[] columns, string tail) =>
        new(Build($"SELECT {string.Join(", ", columns.Select(_table.Column))} FROM {_table.Name} {tail}"), new Materializer(columns));

    private string Col(string property) => _table.Column(property);

    private string Param(string name, string property) => Param(name, _table.Entity.GetProperty(property));

    private string Param(string name, IProperty property) => Param(name, property.GetRelationalTypeMapping(), property.IsNullable);

    /// <summary>Adds parameter <paramref name="name"/> to the command being built, the first time; returns its placeholder.</summary>
    private string Param(string name, RelationalTypeMapping mapping, bool nullable)
    {
        if (!Builder.Parameters.Any(p => p.InvariantName == name))
        {
            Builder.AddParameter(name, _table.ParameterName(name), mapping, nullable);
        }

        return _table.Placeholder(name);
    }

    private string Eq(string property) => $"{Col(property)} = {Param(property, property)}";

    private string Key() => $"{Eq(nameof(McpSession.SessionId))} AND {Eq(nameof(McpSession.Identity))}";

    private string After() => $"{Col(nameof(McpSession.SessionId))} > {Param(AfterParameter, nameof(McpSession.SessionId))}";

    private string Limit() => Param(LimitParameter, _table.IntMapping, nullable: false);

    private string Live() => SessionClock.LiveSql(
        Col(nameof(McpSession.Active)), Col(nameof(McpSession.UpdatedAt)), Col(nameof(McpSession.ExpiresAt)),
        Param(NowParameter, nameof(McpSession.ExpiresAt)), Param(DormantCutoffParameter, nameof(McpSession.UpdatedAt)));

    private string NotLive() => $"({Live()}) IS NOT TRUE";

    private IEnumerable<string> VersionBump()
    {
        if (!Provider.MovesVersionItself)
        {
            var version = Col(nameof(McpSession.Version));
            yield return $"{version} = {version} + 1";
        }
    }

    private readonly record struct SummaryFilter(bool ByIdentity, bool LiveOnly);

    /// <summary>An INSERT: its command, the columns it sets (parameters named as the properties), and how to read what it returns.</summary>
    internal sealed record InsertStatement(IRelationalCommandTemplate Command, IProperty[] Columns, Materializer? Returned);

    /// <summary>A SELECT of session columns, and how to read them.</summary>
    internal sealed record Read(IRelationalCommandTemplate Command, Materializer Columns);

    /// <summary>
    /// The one materializer: reads columns 0..n-1 of a row into a session, each as its type mapping's provider type,
    /// converted by the property's value converter, as EF's own materializer does, with typed reads and setters (no
    /// boxing per column). A NULL leaves the member at its default (a NULL <c>active</c> reads as pending, the peer's
    /// default). A secret is decrypted here, as its converter would, so a wrong key or a tampered value fails on the
    /// read that meets it, naming the session and the column; its plaintext is parsed when the member is first read
    /// (<see cref="McpSession.SetPendingSecret"/>): a list rarely reads them.
    /// </summary>
    internal sealed class Materializer
    {
        private readonly Column[] _columns;
        private readonly int _sessionIdOrdinal;

        public Materializer(IProperty[] properties)
        {
            _columns = [.. properties.Select(Column.For)];
            _sessionIdOrdinal = Array.FindIndex(properties, p => p.Name == nameof(McpSession.SessionId));
        }

        /// <exception cref="Encryption.SecretDecryptionException">A secret column does not decrypt; it names the session.</exception>
        public McpSession Read(DbDataReader reader) => ReadInto(reader, new McpSession());

        public McpSession ReadInto(DbDataReader reader, McpSession session)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                try
                {
                    _columns[i].Read(reader, i, session);
                }
                catch (Encryption.SecretDecryptionException e) when (_sessionIdOrdinal >= 0)
                {
                    throw e.ForSession(reader.GetString(_sessionIdOrdinal));
                }
            }

            return session;
        }

        private abstract class Column
        {
            public abstract void Read(DbDataReader reader, int ordinal, McpSession session);

            public static Column For(IProperty property)
            {
                var mapping = property.GetRelationalTypeMapping();
                var converter = mapping.Converter;
                var clrProperty = property.PropertyInfo ?? throw new InvalidOperationException($"McpSession.{property.Name} has no CLR property.");
                if (converter is Encryption.SecretConverters.ISecretConverter secret)
                {
                    return new Secret(secret.Ring, secret.Column);
                }

                var providerType = converter?.ProviderClrType ?? mapping.ClrType;
                var underlying = Nullable.GetUnderlyingType(providerType) ?? providerType;
                var modelType = clrProperty.PropertyType;
                return providerType == underlying && (converter is null ? providerType == modelType : converter.ModelClrType == modelType)
                    ? (Column)Activator.CreateInstance(typeof(Typed<,>).MakeGenericType(modelType, providerType), clrProperty, converter)!
                    : new Boxed(clrProperty, converter, underlying);
            }

            /// <summary>Column <paramref name="ordinal"/> as <typeparamref name="T"/>, read as EF reads that provider type.</summary>
            protected static T ReadValue<T>(DbDataReader reader, int ordinal)
            {
                if (typeof(T) == typeof(string))
                {
                    return (T)(object)reader.GetString(ordinal);
                }

                if (typeof(T) == typeof(long))
                {
                    var value = reader.GetInt64(ordinal);
                    return Unsafe.As<long, T>(ref value);
                }

                if (typeof(T) == typeof(bool))
                {
                    var value = reader.GetBoolean(ordinal);
                    return Unsafe.As<bool, T>(ref value);
                }

                if (typeof(T) == typeof(Guid))
                {
                    var value = reader.GetGuid(ordinal);
                    return Unsafe.As<Guid, T>(ref value);
                }

                if (typeof(T) == typeof(uint))
                {
                    // SQLite's version column is an INTEGER (Int64); PostgreSQL's xmin is read as uint.
                    var value = reader.GetFieldType(ordinal) == typeof(long) ? checked((uint)reader.GetInt64(ordinal)) : reader.GetFieldValue<uint>(ordinal);
                    return Unsafe.As<uint, T>(ref value);
                }

                if (typeof(T) == typeof(DateTimeOffset))
                {
                    var value = reader.GetFieldValue<DateTimeOffset>(ordinal);
                    return Unsafe.As<DateTimeOffset, T>(ref value);
                }

                return (T)Convert.ChangeType(reader.GetValue(ordinal), typeof(T), CultureInfo.InvariantCulture);
            }
        }

        /// <summary>A column read as its provider type and converted by a typed converter (or none), set through a typed setter.</summary>
        private sealed class Typed<TModel, TProvider>(System.Reflection.PropertyInfo property, ValueConverter? converter) : Column
        {
            private readonly Func<TProvider, TModel>? _convert = (converter as ValueConverter<TModel, TProvider>)?.ConvertFromProviderTyped
                ?? (converter is null ? null : v => (TModel)converter.ConvertFromProvider(v)!);

            private readonly Action<McpSession, TModel> _set = property.SetMethod!.CreateDelegate<Action<McpSession, TModel>>();

            public override void Read(DbDataReader reader, int ordinal, McpSession session)
            {
                if (reader.IsDBNull(ordinal))
                {
                    return; // a new session's members are at their defaults already
                }

                var value = ReadValue<TProvider>(reader, ordinal);
                _set(session, _convert is null ? Unsafe.As<TProvider, TModel>(ref value) : _convert(value));
            }
        }

        /// <summary>A column whose converter's types do not match its property's: read as its provider type, converted and set as objects.</summary>
        private sealed class Boxed(System.Reflection.PropertyInfo property, ValueConverter? converter, Type providerType) : Column
        {
            private readonly Func<DbDataReader, int, object?> _read = typeof(Boxed).GetMethod(nameof(ReadBoxed), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(providerType).CreateDelegate<Func<DbDataReader, int, object?>>();

            public override void Read(DbDataReader reader, int ordinal, McpSession session)
            {
                if (reader.IsDBNull(ordinal))
                {
                    return;
                }

                var value = _read(reader, ordinal);
                property.SetValue(session, converter is null ? value : converter.ConvertFromProvider(value));
            }

            private static object? ReadBoxed<T>(DbDataReader reader, int ordinal) => ReadValue<T>(reader, ordinal);
        }

        /// <summary>A secret column: decrypted now, as its converter would; parsed when the member is first read.</summary>
        private sealed class Secret(Encryption.SessionKeyRing? ring, Encryption.SecretColumn column) : Column
        {
            public override void Read(DbDataReader reader, int ordinal, McpSession session)
            {
                if (reader.IsDBNull(ordinal))
                {
                    return;
                }

                var stored = reader.GetString(ordinal);
                if (Encryption.SecretValues.Plaintext(ring, column, stored) is { } json)
                {
                    session.SetPendingSecret(column, json);
                }
                else
                {
                    session.CodeVerifier = stored; // a verifier stored in clear text is the verifier itself
                }
            }
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
            IntMapping = context.GetService<IRelationalTypeMappingSource>().FindMapping(typeof(int))!;
            Entity = context.Model.FindEntityType(typeof(McpSession))
                ?? throw new InvalidOperationException($"{context.GetType().Name} does not map McpSession: call modelBuilder.ApplyMcpSessions(this) in its OnModelCreating.");
            _table = StoreObjectIdentifier.Table(Entity.GetTableName()!, Entity.GetSchema());
            Name = _sql.DelimitIdentifier(_table.Name, _table.Schema);
        }

        public IEntityType Entity { get; }

        public string Name { get; }

        public RelationalTypeMapping IntMapping { get; }

        public IRelationalCommandBuilder CommandBuilder() => _commands.Create();

        public string Column(string property) => Column(Entity.GetProperty(property));

        public string Column(IProperty property) => _sql.DelimitIdentifier(property.GetColumnName(_table)!);

        public string Placeholder(string name) => _sql.GenerateParameterNamePlaceholder(name);

        public string ParameterName(string name) => _sql.GenerateParameterName(name);
    }
}
