using System.Text.Json;
using System.Text.Json.Nodes;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// A model-based test of the store: FsCheck generates sequences of creates, partial updates, touches, reads, deletes
/// and cleanups over three identities and four session ids, interleaved with jumps of the fake clock across the pending
/// window, the dormancy limit and exactly onto each session's boundary; every result is checked against
/// <see cref="SessionModel"/>. Each sequence starts from an empty table. Run per configuration by subclassing with a
/// fixture (and, for the cache tier, <see cref="ConfigureStore"/>).
/// </summary>
public abstract class StoreModelSpecification<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    /// <summary>Sequences per run; CI runs at least this many per configuration.</summary>
    public const int Sequences = 500;

    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
    private ServiceProvider _services = null!;

    protected TFixture Fixture { get; } = fixture;

    private ISessionStore Store => _services.GetRequiredService<ISessionStore>();

    private ManualTimeProvider Clock => Fixture.Clock;

    public async Task InitializeAsync()
    {
        await Fixture.Store.ClearAllAsync(); // the fixture's own store migrates the empty database
        _services = Fixture.BuildServices(Fixture.ConnectionString, build: ConfigureStore);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Adds to the store's registration (the cache tier, say).</summary>
    protected virtual void ConfigureStore(McpSessionsBuilder builder)
    {
    }

    [Fact]
    public async Task Random_operation_sequences_with_clock_jumps_agree_with_the_model_of_the_spec()
    {
        var options = _services.GetRequiredService<IOptions<McpSessionsOptions>>().Value;
        var model = new SessionModel(options.PendingTtl, options.ActiveTtl, options.DormantAfter);
        var steps = 0;

        await PropertyRun.CheckAsync(
            GetType().Name,
            OperationSequence.Arbitrary(options.PendingTtl, options.DormantAfter),
            sequence =>
            {
                RunAsync(sequence, model).GetAwaiter().GetResult();
                steps += sequence.Steps.Length;
            },
            Sequences,
            output);

        output.WriteLine($"{steps} steps; outcomes: {string.Join(", ", _seen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");

        // The sequences reached what they are for: collisions, every failure, expiry, dormancy, both boundaries exactly.
        foreach (var outcome in new[]
        {
            "create.exists", "create.exists.other-identity", "update.invalid", "update.not-found", "update.other-identity", "update.ok", "update.clears",
            "touch.ok", "touch.not-found", "get.hit", "get.not-live", "get.other-identity", "list.nonempty", "delete.true", "delete.false",
            "cleanup.removed", "read-at-boundary.pending", "read-at-boundary.active", "not-live.pending", "not-live.dormant",
        })
        {
            Assert.True(_seen.GetValueOrDefault(outcome) > 0, $"no sequence produced {outcome}");
        }
    }

    private async Task RunAsync(OperationSequence sequence, SessionModel model)
    {
        await Store.ClearAllAsync();
        model.Clear();
        for (var i = 0; i < sequence.Steps.Length; i++)
        {
            var step = sequence.Steps[i];
            try
            {
                await StepAsync(step, model);
            }
            catch (ModelMismatchException e)
            {
                throw new ModelMismatchException($"step {i}: {step}: {e.Message}");
            }
        }
    }

    private async Task StepAsync(StoreOperation step, SessionModel model)
    {
        var now = SessionModel.Truncate(Clock.GetUtcNow());
        string Id(int i) => StoreOperation.Identities[i];
        string Sid(int s) => StoreOperation.SessionIds[s];
        switch (step)
        {
            case StoreOperation.Create c:
            {
                var requested = NewSession(Id(c.Identity), Sid(c.Session), c.Active, c.Values);
                var existing = model.Row(requested.SessionId);
                var expected = model.Create(requested, now);
                if (expected is null)
                {
                    Seen(existing!.Identity == requested.Identity ? "create.exists" : "create.exists.other-identity");
                    var e = await ThrowsAsync<SessionAlreadyExistsException>(() => Store.CreateAsync(requested));
                    Expect(e.Message.Contains(requested.SessionId, StringComparison.Ordinal), $"the message names the id: {e.Message}");
                    return;
                }

                var created = await Returns(() => Store.CreateAsync(requested));
                Expect(created.Id != Guid.Empty, "the store assigns an id");
                expected.Id = created.Id;
                model.AssignId(requested.SessionId, created.Id);
                SameSession(expected, created, "the created session");
                Seen("create.ok");
                return;
            }

            case StoreOperation.Update u:
            {
                var update = NewUpdate(u.Values);
                if (SessionModel.InvalidField(u.Values) is { } field)
                {
                    Seen("update.invalid");
                    var e = await ThrowsAsync<SessionValidationException>(() => Store.UpdateAsync(Id(u.Identity), Sid(u.Session), update));
                    Expect(e.Field == field, $"the exception names {field}, not {e.Field}");
                    return;
                }

                var row = model.Row(Sid(u.Session));
                if (!model.Update(Id(u.Identity), Sid(u.Session), u.Values, now))
                {
                    Seen(row is not null && row.Identity != Id(u.Identity) ? "update.other-identity" : "update.not-found");
                    await ThrowsAsync<SessionNotFoundException>(() => Store.UpdateAsync(Id(u.Identity), Sid(u.Session), update));
                    return;
                }

                await Returns(async () => { await Store.UpdateAsync(Id(u.Identity), Sid(u.Session), update); return true; });
                Seen(u.Values.Any(v => v.Build() is null) ? "update.clears" : "update.ok");
                return;
            }

            case StoreOperation.Touch t:
            {
                if (!model.Touch(Id(t.Identity), Sid(t.Session), now))
                {
                    Seen("touch.not-found");
                    await ThrowsAsync<SessionNotFoundException>(() => Store.TouchAsync(Id(t.Identity), Sid(t.Session)));
                    return;
                }

                await Returns(async () => { await Store.TouchAsync(Id(t.Identity), Sid(t.Session)); return true; });
                Seen("touch.ok");
                return;
            }

            case StoreOperation.Read g:
            {
                SeenBoundaries(model, now);
                var expected = model.Live(Id(g.Identity), Sid(g.Session), now);
                var actual = await Returns(() => Store.GetAsync(Id(g.Identity), Sid(g.Session)));
                if (expected is null)
                {
                    var row = model.Row(Sid(g.Session));
                    Seen(row is null ? "get.miss" : row.Identity != Id(g.Identity) ? "get.other-identity" : "get.not-live");
                    if (row is not null && row.Identity == Id(g.Identity))
                    {
                        Seen(row.Active ? "not-live.dormant" : "not-live.pending");
                    }

                    Expect(actual is null, $"no live session, but the store returned {actual}");
                    return;
                }

                Expect(actual is not null, $"expected the live session {expected}, but the store returned null");
                SameSession(expected, actual!, "the session read");
                Seen("get.hit");
                return;
            }

            case StoreOperation.List l:
            {
                SeenBoundaries(model, now);
                var expected = model.List(Id(l.Identity), now);
                var actual = await Returns(() => Store.ListAsync(Id(l.Identity)));
                Expect(
                    actual.Select(s => s.SessionId).SequenceEqual(expected.Select(s => s.SessionId)),
                    $"expected [{string.Join(", ", expected.Select(s => s.SessionId))}], listed [{string.Join(", ", actual.Select(s => s.SessionId))}]");
                for (var i = 0; i < expected.Count; i++)
                {
                    SameSession(expected[i], actual[i], $"listed session {i}");
                }

                Seen(expected.Count > 0 ? "list.nonempty" : "list.empty");
                return;
            }

            case StoreOperation.ListIds l:
            {
                SeenBoundaries(model, now);
                var expected = model.List(Id(l.Identity), now).Select(s => s.SessionId).ToList();
                var actual = await Returns(() => Store.ListIdsAsync(Id(l.Identity)));
                Expect(actual.SequenceEqual(expected), $"expected ids [{string.Join(", ", expected)}], listed [{string.Join(", ", actual)}]");
                Seen(expected.Count > 0 ? "list.nonempty" : "list.empty");
                return;
            }

            case StoreOperation.Delete d:
            {
                var expected = model.Delete(Id(d.Identity), Sid(d.Session));
                var actual = await Returns(() => Store.DeleteAsync(Id(d.Identity), Sid(d.Session)));
                Expect(actual == expected, $"expected {expected}, the store returned {actual}");
                Seen(expected ? "delete.true" : "delete.false");
                return;
            }

            case StoreOperation.Cleanup:
            {
                SeenBoundaries(model, now);
                var expected = model.Cleanup(now);
                var actual = await Returns(() => Store.CleanupExpiredAsync());
                Expect(actual == expected, $"expected {expected} removed, the store removed {actual}");
                Seen(expected > 0 ? "cleanup.removed" : "cleanup.none");
                return;
            }

            case StoreOperation.Advance a:
                Clock.Advance(a.By);
                return;

            case StoreOperation.AdvanceToBoundary b:
            {
                if (model.Row(Sid(b.Session)) is { } row)
                {
                    var target = model.LiveUntil(row) + TimeSpan.FromMicroseconds(b.OffsetMicroseconds);
                    var by = target - Clock.GetUtcNow();
                    if (by > TimeSpan.Zero)
                    {
                        Clock.Advance(by);
                    }
                }

                return;
            }

            default:
                throw new InvalidOperationException($"no step {step}");
        }
    }

    /// <summary>Counts reads made exactly at a row's boundary: a pending row is dead there, an active one still live.</summary>
    private void SeenBoundaries(SessionModel model, DateTimeOffset now)
    {
        foreach (var row in model.Rows.Where(r => model.LiveUntil(r) == now))
        {
            Seen(row.Active ? "read-at-boundary.active" : "read-at-boundary.pending");
        }
    }

    private void Seen(string outcome) => _seen[outcome] = _seen.GetValueOrDefault(outcome) + 1;

    private static McpSession NewSession(string identity, string sessionId, bool active, FieldValue[] values)
    {
        var session = new McpSession { SessionId = sessionId, Identity = identity, Active = active };
        foreach (var value in values)
        {
            SessionModel.Set(session, value.Field, value.Build());
        }

        return session;
    }

    private static SessionUpdate NewUpdate(FieldValue[] values)
    {
        var update = new SessionUpdate();
        foreach (var value in values)
        {
            var v = value.Build();
            switch (value.Field)
            {
                case SessionFields.UserId: update.UserId = (string?)v; break;
                case SessionFields.ServerId: update.ServerId = (string?)v; break;
                case SessionFields.ServerName: update.ServerName = (string?)v; break;
                case SessionFields.ServerUrl: update.ServerUrl = (string?)v; break;
                case SessionFields.CallbackUrl: update.CallbackUrl = (string?)v; break;
                case SessionFields.TransportType: update.TransportType = (McpTransportType)v!; break;
                case SessionFields.Active: update.Active = (bool)v!; break;
                case SessionFields.Headers: update.Headers = (Dictionary<string, string>?)v; break;
                case SessionFields.ClientInformation: update.ClientInformation = (OAuthClientInformation?)v; break;
                case SessionFields.Tokens: update.Tokens = (OAuthTokens?)v; break;
                case SessionFields.CodeVerifier: update.CodeVerifier = (string?)v; break;
                case SessionFields.ClientId: update.ClientId = (string?)v; break;
                default: throw new ArgumentOutOfRangeException(nameof(values), value.Field, null);
            }
        }

        return update;
    }

    private static void SameSession(McpSession expected, McpSession actual, string what)
    {
        var differences = new List<string>();
        Compare(nameof(McpSession.Id), expected.Id, actual.Id);
        Compare(nameof(McpSession.SessionId), expected.SessionId, actual.SessionId);
        Compare(nameof(McpSession.Identity), expected.Identity, actual.Identity);
        Compare(nameof(McpSession.UserId), expected.UserId, actual.UserId);
        Compare(nameof(McpSession.ServerId), expected.ServerId, actual.ServerId);
        Compare(nameof(McpSession.ServerName), expected.ServerName, actual.ServerName);
        Compare(nameof(McpSession.ServerUrl), expected.ServerUrl, actual.ServerUrl);
        Compare(nameof(McpSession.CallbackUrl), expected.CallbackUrl, actual.CallbackUrl);
        Compare(nameof(McpSession.TransportType), expected.TransportType, actual.TransportType);
        Compare(nameof(McpSession.CreatedAt), expected.CreatedAt, actual.CreatedAt);
        Compare(nameof(McpSession.UpdatedAt), expected.UpdatedAt, actual.UpdatedAt);
        Compare(nameof(McpSession.ExpiresAt), expected.ExpiresAt, actual.ExpiresAt);
        Compare(nameof(McpSession.Active), expected.Active, actual.Active);
        Json(nameof(McpSession.Headers), expected.Headers, actual.Headers);
        Json(nameof(McpSession.ClientInformation), expected.ClientInformation, actual.ClientInformation);
        Json(nameof(McpSession.Tokens), expected.Tokens, actual.Tokens);
        Compare(nameof(McpSession.CodeVerifier), expected.CodeVerifier, actual.CodeVerifier);
        Compare(nameof(McpSession.ClientId), expected.ClientId, actual.ClientId);
        Expect(differences.Count == 0, $"{what} differs from the model: {string.Join("; ", differences)}");

        void Compare<T>(string name, T e, T a)
        {
            if (!EqualityComparer<T>.Default.Equals(e, a))
            {
                differences.Add($"{name} expected {Show(e)}, read {Show(a)}");
            }
        }

        void Json<T>(string name, T? e, T? a)
            where T : class
        {
            var ej = e is null ? null : JsonSerializer.SerializeToNode(e);
            var aj = a is null ? null : JsonSerializer.SerializeToNode(a);
            if (!JsonNode.DeepEquals(ej, aj))
            {
                differences.Add($"{name} expected {ej?.ToJsonString() ?? "null"}, read {aj?.ToJsonString() ?? "null"}");
            }
        }

        static string Show(object? value) => value switch
        {
            null => "null",
            DateTimeOffset t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString()!,
        };
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new ModelMismatchException(message);
        }
    }

    private static async Task<T> Returns<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e)
        {
            throw new ModelMismatchException($"expected success, the store threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task<TException> ThrowsAsync<TException>(Func<Task> call)
        where TException : Exception
    {
        try
        {
            await call();
        }
        catch (TException e)
        {
            return e;
        }
        catch (Exception e)
        {
            throw new ModelMismatchException($"expected {typeof(TException).Name}, the store threw {e.GetType().Name}: {e.Message}");
        }

        throw new ModelMismatchException($"expected {typeof(TException).Name}, the store returned normally");
    }

    private sealed class ModelMismatchException(string message) : Exception(message);
}
