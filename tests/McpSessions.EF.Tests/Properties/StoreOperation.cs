using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// One step of a generated sequence against the store. Steps name identities and sessions by index into small pools,
/// so that they collide (create of an existing id, update of another identity's session), and any subsequence (what
/// FsCheck's shrinking tries) is still a valid sequence. Values are descriptions, built afresh each time a step runs.
/// </summary>
public abstract record StoreOperation
{
    public static readonly string[] Identities = ["alice", "bob", "carol"];

    public static readonly string[] SessionIds = ["s0", "s1", "s2", "s3"];

    public sealed record Create(int Identity, int Session, bool Active, FieldValue[] Values) : StoreOperation
    {
        public override string ToString() => $"Create({Identities[Identity]}, {SessionIds[Session]}, {(Active ? "active" : "pending")}, {string.Join(", ", Values.Select(v => v.ToString()))})";
    }

    public sealed record Update(int Identity, int Session, FieldValue[] Values) : StoreOperation
    {
        public override string ToString() => $"Update({Identities[Identity]}, {SessionIds[Session]}, {{{string.Join(", ", Values.Select(v => v.ToString()))}}})";
    }

    public sealed record Touch(int Identity, int Session) : StoreOperation
    {
        public override string ToString() => $"Touch({Identities[Identity]}, {SessionIds[Session]})";
    }

    public sealed record Read(int Identity, int Session) : StoreOperation
    {
        public override string ToString() => $"Get({Identities[Identity]}, {SessionIds[Session]})";
    }

    public sealed record List(int Identity) : StoreOperation
    {
        public override string ToString() => $"List({Identities[Identity]})";
    }

    public sealed record ListIds(int Identity) : StoreOperation
    {
        public override string ToString() => $"ListIds({Identities[Identity]})";
    }

    public sealed record Delete(int Identity, int Session) : StoreOperation
    {
        public override string ToString() => $"Delete({Identities[Identity]}, {SessionIds[Session]})";
    }

    public sealed record Cleanup : StoreOperation
    {
        public override string ToString() => "CleanupExpired()";
    }

    /// <summary>Moves the clock forward by a fixed amount.</summary>
    public sealed record Advance(TimeSpan By) : StoreOperation
    {
        public override string ToString() => $"Advance({By:c})";
    }

    /// <summary>
    /// Moves the clock to where session <see cref="Session"/> stops (or stopped) being live, by the model, plus
    /// <see cref="OffsetMicroseconds"/>: the boundary itself and one microsecond either side. Nothing when that is past.
    /// </summary>
    public sealed record AdvanceToBoundary(int Session, int OffsetMicroseconds) : StoreOperation
    {
        public override string ToString() => $"AdvanceToBoundary({SessionIds[Session]}, {OffsetMicroseconds:+0;-0;0} µs)";
    }
}

/// <summary>One member of a create or an update, set to one value of a small pool (<see cref="Value"/> indexes it).</summary>
public sealed record FieldValue(SessionFields Field, int Value)
{
    /// <summary>The pool of each member; a null in a required member's pool is an invalid update.</summary>
    public static object? Of(SessionFields field, int value) => field switch
    {
        SessionFields.UserId => new[] { "u-1", "u-2", null }[value],
        SessionFields.ServerId => new[] { null, "srv-a", "srv-b" }[value],
        SessionFields.ServerName => new[] { null, "Server A", "Sérveur ✓ 名前" }[value],
        SessionFields.ServerUrl => new[] { "https://a.example.com/mcp", "http://127.0.0.1:8080/mcp?x=1", null }[value],
        SessionFields.CallbackUrl => new[] { "https://app.example.com/oauth/callback", "myapp://oauth/cb", null }[value],
        SessionFields.TransportType => new[] { McpTransportType.StreamableHttp, McpTransportType.Sse }[value],
        SessionFields.Active => value == 1,
        SessionFields.Headers => value switch
        {
            0 => null,
            1 => new Dictionary<string, string> { ["X-Api-Key"] = "key-1" },
            2 => new Dictionary<string, string>(),
            _ => new Dictionary<string, string> { ["Authorization"] = "Bearer h", ["X-Trace"] = "ü" },
        },
        SessionFields.ClientInformation => value switch
        {
            0 => null,
            1 => new OAuthClientInformation { ClientId = "client-1", ClientSecret = "secret-1", RedirectUris = ["https://app.example.com/oauth/callback"] },
            _ => new OAuthClientInformation { ClientId = "client-2", AdditionalProperties = new() { ["software_id"] = JsonSerializer.SerializeToElement("props") } },
        },
        SessionFields.Tokens => value switch
        {
            0 => null,
            1 => new OAuthTokens { AccessToken = "access-1", TokenType = "Bearer", ExpiresIn = 3600, RefreshToken = "refresh-1" },
            _ => new OAuthTokens { AccessToken = "access-2", TokenType = "Bearer", Scope = "read", AdditionalProperties = new() { ["extra"] = JsonSerializer.SerializeToElement(42) } },
        },
        SessionFields.CodeVerifier => new[] { null, "verifier-1", "verifier-2" }[value],
        SessionFields.ClientId => new[] { null, "client-1", "client-2" }[value],
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    public static int PoolSize(SessionFields field) => field switch
    {
        SessionFields.TransportType or SessionFields.Active => 2,
        SessionFields.Headers => 4,
        _ => 3,
    };

    /// <summary>A required member (it cannot be cleared) is invalid when its pool value is null.</summary>
    public static bool Required(SessionFields field) => field is SessionFields.UserId or SessionFields.ServerUrl or SessionFields.CallbackUrl;

    public object? Build() => Of(Field, Value);

    public override string ToString() => Build() switch
    {
        null => $"{Field}=null",
        string s => $"{Field}=\"{s}\"",
        Dictionary<string, string> d => $"{Field}={{{string.Join(",", d.Select(p => $"{p.Key}:{p.Value}"))}}}",
        OAuthTokens or OAuthClientInformation => $"{Field}=#{Value}",
        var v => $"{Field}={v}",
    };
}

/// <summary>A generated sequence, printed one numbered step a line.</summary>
public sealed record OperationSequence(StoreOperation[] Steps)
{
    public override string ToString() =>
        $"{Steps.Length} steps:{Environment.NewLine}{string.Join(Environment.NewLine, Steps.Select((s, i) => $"  {i,2}: {s}"))}";

    /// <summary>Sequences of 5–30 steps; shrinking drops halves, then quarters, then single steps.</summary>
    public static Arbitrary<OperationSequence> Arbitrary(TimeSpan pendingTtl, TimeSpan dormantAfter) =>
        Arb.From(
            from length in Gen.Choose(5, 30)
            from steps in Gen.ArrayOf(Step(pendingTtl, dormantAfter), length)
            select new OperationSequence(steps),
            Shrink);

    private static IEnumerable<OperationSequence> Shrink(OperationSequence sequence)
    {
        var steps = sequence.Steps;
        for (var chunk = steps.Length / 2; chunk >= 1; chunk /= 2)
        {
            for (var start = 0; start + chunk <= steps.Length; start += chunk)
            {
                yield return new OperationSequence([.. steps[..start], .. steps[(start + chunk)..]]);
            }
        }
    }

    private static Gen<StoreOperation> Step(TimeSpan pendingTtl, TimeSpan dormantAfter)
    {
        var identity = Gen.Choose(0, StoreOperation.Identities.Length - 1);
        var session = Gen.Choose(0, StoreOperation.SessionIds.Length - 1);

        // Mostly the session's "owner" (s0 alice, s1 bob, ...), so that calls find what they look for; sometimes anyone.
        var key = from s in session
                  from i in Gen.Frequency((3, Gen.Constant(s % StoreOperation.Identities.Length)), (1, identity))
                  select (Identity: i, Session: s);
        var micro = TimeSpan.FromMicroseconds(1);
        return Gen.Frequency(
            (6, from k in key from a in Gen.Elements(true, false) from v in CreateValues() select (StoreOperation)new StoreOperation.Create(k.Identity, k.Session, a, v)),
            (6, from k in key from v in UpdateValues() select (StoreOperation)new StoreOperation.Update(k.Identity, k.Session, v)),
            (3, from k in key select (StoreOperation)new StoreOperation.Touch(k.Identity, k.Session)),
            (5, from k in key select (StoreOperation)new StoreOperation.Read(k.Identity, k.Session)),
            (2, from i in identity select (StoreOperation)new StoreOperation.List(i)),
            (2, from i in identity select (StoreOperation)new StoreOperation.ListIds(i)),
            (2, from k in key select (StoreOperation)new StoreOperation.Delete(k.Identity, k.Session)),
            (2, Gen.Constant((StoreOperation)new StoreOperation.Cleanup())),
            (4, from jump in Gen.Elements(
                    micro, TimeSpan.FromTicks(7), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(3),
                    pendingTtl - micro, pendingTtl, pendingTtl + micro, dormantAfter - micro, dormantAfter, dormantAfter + micro)
                select (StoreOperation)new StoreOperation.Advance(jump)),
            (4, from s in session from offset in Gen.Elements(-1, 0, 1) select (StoreOperation)new StoreOperation.AdvanceToBoundary(s, offset)));
    }

    /// <summary>Every member but <c>Active</c> (a create's own flag), required ones never null; UserId sometimes left empty.</summary>
    private static Gen<FieldValue[]> CreateValues()
    {
        var members = SessionUpdate.All.Where(f => f != SessionFields.Active).ToArray();
        return Gen.CollectToArray(members.Select(f => Gen.Choose(0, FieldValue.PoolSize(f) - (FieldValue.Required(f) ? 2 : 1)).Select(v => new FieldValue(f, v))))
            .SelectMany(values => Gen.Elements(true, false), (values, withUser) => withUser ? values : [.. values.Where(v => v.Field != SessionFields.UserId)]);
    }

    /// <summary>
    /// A random subset of members (rarely none, which is invalid), each with a value of its pool; a required member is
    /// set to null (invalid) one time in ten.
    /// </summary>
    private static Gen<FieldValue[]> UpdateValues() =>
        from members in Gen.Frequency((19, Gen.SubListOf(SessionUpdate.All)), (1, Gen.Constant(new List<SessionFields>())))
        from values in Gen.CollectToArray(members.Select(f => Value(f).Select(v => new FieldValue(f, v))))
        select values;

    private static Gen<int> Value(SessionFields field) => FieldValue.Required(field)
        ? Gen.Frequency((9, Gen.Choose(0, FieldValue.PoolSize(field) - 2)), (1, Gen.Constant(FieldValue.PoolSize(field) - 1)))
        : Gen.Choose(0, FieldValue.PoolSize(field) - 1);
}
