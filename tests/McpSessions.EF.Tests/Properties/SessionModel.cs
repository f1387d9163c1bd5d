using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// SPEC §3–§4 in a few lines, independent of the store's code: every row (live or not, until deleted or cleaned up),
/// the live rule, pending vs active, partial update, clear-to-null, identity isolation, and what each call returns or
/// throws. Times are truncated to microseconds, as the store stores them (PostgreSQL's resolution).
/// </summary>
public sealed class SessionModel(TimeSpan pendingTtl, TimeSpan activeTtl, TimeSpan dormantAfter)
{
    private readonly Dictionary<string, McpSession> _rows = new(StringComparer.Ordinal);

    public TimeSpan PendingTtl { get; } = pendingTtl;

    public TimeSpan ActiveTtl { get; } = activeTtl;

    public TimeSpan DormantAfter { get; } = dormantAfter;

    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    /// <summary>§4: pending and <c>expires_at &gt; now</c>, or active and not dormant (<c>updated_at &gt;= now − DormantAfter</c>).</summary>
    public bool IsLive(McpSession row, DateTimeOffset now) =>
        row.Active ? row.UpdatedAt >= now - DormantAfter : row.ExpiresAt > now;

    /// <summary>When <paramref name="row"/> stops being live: the first instant it is not (pending) or the last it is (active).</summary>
    public DateTimeOffset LiveUntil(McpSession row) => row.Active ? row.UpdatedAt + DormantAfter : row.ExpiresAt;

    public McpSession? Row(string sessionId) => _rows.GetValueOrDefault(sessionId);

    public IReadOnlyCollection<McpSession> Rows => _rows.Values;

    public void Clear() => _rows.Clear();

    /// <summary>What <c>CreateAsync</c> must return, or <see langword="null"/> when it must throw <see cref="SessionAlreadyExistsException"/>.</summary>
    public McpSession? Create(McpSession requested, DateTimeOffset now)
    {
        if (_rows.ContainsKey(requested.SessionId))
        {
            return null;
        }

        var row = Copy(requested);
        row.CreatedAt = now;
        row.UpdatedAt = now;
        row.ExpiresAt = now + (row.Active ? ActiveTtl : PendingTtl);
        row.UserId = row.UserId.Length == 0 ? row.Identity : row.UserId;
        _rows[row.SessionId] = row;
        return Copy(row);
    }

    /// <summary>Records the surrogate key the store gave a created row (the model cannot know it beforehand).</summary>
    public void AssignId(string sessionId, Guid id) => _rows[sessionId].Id = id;

    /// <summary>The live row of <paramref name="identity"/>, or null: what every §3 read and write is limited to.</summary>
    public McpSession? Live(string identity, string sessionId, DateTimeOffset now) =>
        _rows.TryGetValue(sessionId, out var row) && row.Identity == identity && IsLive(row, now) ? row : null;

    /// <summary>
    /// The field an update must be refused for (no member set, or a required member set to null), checked before the
    /// session is looked up; <see langword="null"/> when the update is valid.
    /// </summary>
    public static string? InvalidField(IReadOnlyList<FieldValue> values)
    {
        if (values.Count == 0)
        {
            return "update";
        }

        return values.FirstOrDefault(v => FieldValue.Required(v.Field) && v.Build() is null)?.Field.ToString();
    }

    /// <summary>Applies a valid update; false when there is no live session of <paramref name="identity"/> (not found).</summary>
    public bool Update(string identity, string sessionId, IReadOnlyList<FieldValue> values, DateTimeOffset now)
    {
        if (Live(identity, sessionId, now) is not { } row)
        {
            return false;
        }

        foreach (var value in values)
        {
            Set(row, value.Field, value.Build());
        }

        row.UpdatedAt = now;
        if (values.Any(v => v.Field == SessionFields.Active))
        {
            row.ExpiresAt = now + (row.Active ? ActiveTtl : PendingTtl);
        }

        return true;
    }

    public bool Touch(string identity, string sessionId, DateTimeOffset now)
    {
        if (Live(identity, sessionId, now) is not { } row)
        {
            return false;
        }

        row.UpdatedAt = now;
        return true;
    }

    /// <summary>Live sessions of <paramref name="identity"/>, oldest first (then by id).</summary>
    public List<McpSession> List(string identity, DateTimeOffset now) =>
        [.. _rows.Values.Where(r => r.Identity == identity && IsLive(r, now)).OrderBy(r => r.CreatedAt).ThenBy(r => r.SessionId, StringComparer.Ordinal)];

    /// <summary>Removes the row of <paramref name="identity"/> whatever its state.</summary>
    public bool Delete(string identity, string sessionId) =>
        _rows.TryGetValue(sessionId, out var row) && row.Identity == identity && _rows.Remove(sessionId);

    /// <summary>Removes every row that is not live; the count.</summary>
    public int Cleanup(DateTimeOffset now)
    {
        var dead = _rows.Values.Where(r => !IsLive(r, now)).Select(r => r.SessionId).ToList();
        foreach (var id in dead)
        {
            _rows.Remove(id);
        }

        return dead.Count;
    }

    public static void Set(McpSession row, SessionFields field, object? value)
    {
        switch (field)
        {
            case SessionFields.UserId: row.UserId = (string)value!; break;
            case SessionFields.ServerId: row.ServerId = (string?)value; break;
            case SessionFields.ServerName: row.ServerName = (string?)value; break;
            case SessionFields.ServerUrl: row.ServerUrl = (string)value!; break;
            case SessionFields.CallbackUrl: row.CallbackUrl = (string)value!; break;
            case SessionFields.TransportType: row.TransportType = (McpTransportType)value!; break;
            case SessionFields.Active: row.Active = (bool)value!; break;
            case SessionFields.Headers: row.Headers = (Dictionary<string, string>?)value; break;
            case SessionFields.ClientInformation: row.ClientInformation = (OAuthClientInformation?)value; break;
            case SessionFields.Tokens: row.Tokens = (OAuthTokens?)value; break;
            case SessionFields.CodeVerifier: row.CodeVerifier = (string?)value; break;
            case SessionFields.ClientId: row.ClientId = (string?)value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, null);
        }
    }

    private static McpSession Copy(McpSession s) => new()
    {
        Id = s.Id,
        SessionId = s.SessionId,
        Identity = s.Identity,
        UserId = s.UserId,
        ServerId = s.ServerId,
        ServerName = s.ServerName,
        ServerUrl = s.ServerUrl,
        CallbackUrl = s.CallbackUrl,
        TransportType = s.TransportType,
        CreatedAt = s.CreatedAt,
        UpdatedAt = s.UpdatedAt,
        ExpiresAt = s.ExpiresAt,
        Active = s.Active,
        Headers = s.Headers,
        ClientInformation = s.ClientInformation,
        Tokens = s.Tokens,
        CodeVerifier = s.CodeVerifier,
        ClientId = s.ClientId,
    };
}
