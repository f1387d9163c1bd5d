using McpSessions.EF.Encryption;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionCacheSpecification<TFixture>
{
    [Fact]
    public async Task A_second_get_is_answered_from_the_cache_with_every_member_intact()
    {
        var instance = NewInstance();
        var warm = await instance.Store.CreateAsync(NewSession());
        await instance.Store.GetAsync("alice", warm.SessionId); // the shared epoch tag exists now
        var created = await instance.Store.CreateAsync(SecretSession());
        var readsBefore = instance.Database.DatabaseGets;
        var fromDatabase = await instance.Store.GetAsync("alice", created.SessionId);

        var fromCache = await instance.Store.GetAsync("alice", created.SessionId);

        AssertSameSession(fromDatabase!, fromCache);
        Assert.Equal(created.UpdatedAt, fromCache!.UpdatedAt);
        Assert.Equal(1, instance.Database.DatabaseGets - readsBefore);
        Assert.Equal(2, instance.Metrics.Misses);
        Assert.Equal(1, instance.Metrics.Hits);
        Assert.Equal(0, instance.Metrics.Errors);
    }

    [Fact]
    public async Task Each_read_gets_its_own_copy_of_the_session()
    {
        var instance = NewInstance();
        var created = await instance.Store.CreateAsync(SecretSession());
        var first = await instance.Store.GetAsync("alice", created.SessionId);
        first!.Tokens!.AccessToken = "changed by the caller";

        var second = await instance.Store.GetAsync("alice", created.SessionId);

        Assert.Equal(AccessSecret, second!.Tokens!.AccessToken);
    }

    [Fact]
    public async Task An_entry_is_keyed_by_prefix_identity_and_session_id_and_lives_no_longer_than_its_session_or_the_cache_ttl()
    {
        var instance = NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1));
        var pending = await instance.Store.CreateAsync(NewSession("alice", active: false)); // 10 minutes to live
        await instance.Store.GetAsync("alice", pending.SessionId);
        var shortTtl = NewInstance(o => o.CacheTtl = TimeSpan.FromSeconds(30));
        var active = await shortTtl.Store.CreateAsync(NewSession("alice"));
        await shortTtl.Store.GetAsync("alice", active.SessionId);

        // RedisCache keeps an entry as a hash and expires the whole hash: its TTL is the entry's.
        var pendingTtl = await RedisDatabase.KeyTimeToLiveAsync(EntryKey("alice", pending.SessionId));
        var activeTtl = await RedisDatabase.KeyTimeToLiveAsync(EntryKey("alice", active.SessionId));

        Assert.Equal(RedisType.Hash, await RedisDatabase.KeyTypeAsync(EntryKey("alice", pending.SessionId)));
        Assert.Equal(-1, (long)await RedisDatabase.HashGetAsync(EntryKey("alice", pending.SessionId), "sldexp")); // no sliding: a read never extends it
        Assert.NotNull(pendingTtl);
        Assert.InRange(pendingTtl.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.NotNull(activeTtl);
        Assert.InRange(activeTtl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Raw_redis_values_hold_no_part_of_any_secret()
    {
        var instance = NewInstance();
        var session = await instance.Store.CreateAsync(SecretSession());
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));

        var keys = RawKeys();
        Assert.Contains(keys, k => k == EntryKey("alice", session.SessionId));
        foreach (var key in keys)
        {
            foreach (var field in await RedisDatabase.HashGetAllAsync(key))
            {
                AssertHoldsNoSecret($"{key} {field.Name}", field.Value);
            }
        }

        var entry = await RawValueAsync(EntryKey("alice", session.SessionId));
        Assert.Equal(4, CountOf(System.Text.Encoding.UTF8.GetString(entry!), "enc:2:"));
    }

    [Fact]
    public async Task In_the_enc1_compatible_mode_the_cache_still_encrypts_all_four_secrets()
    {
        // The database keeps client_information and code_verifier in clear text in this mode, for a Node service.
        var instance = NewInstance(options: o => o.Encryption.Format = EncryptionFormat.McpTsCompatible);
        var session = await instance.Store.CreateAsync(SecretSession());
        await instance.Store.GetAsync("alice", session.SessionId);

        var entry = await RawValueAsync(EntryKey("alice", session.SessionId));

        AssertHoldsNoSecret(EntryKey("alice", session.SessionId), entry);
        Assert.Equal(4, CountOf(System.Text.Encoding.UTF8.GetString(entry!), "enc:2:"));
        AssertSameSession(await Fixture.Store.GetAsync("alice", session.SessionId) ?? throw new InvalidOperationException(), await instance.Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task A_session_stays_invisible_to_another_identity_through_the_cache()
    {
        var instance = NewInstance();
        var session = await instance.Store.CreateAsync(SecretSession("alice"));
        await instance.Store.GetAsync("alice", session.SessionId);

        Assert.Null(await instance.Store.GetAsync("bob", session.SessionId));
        Assert.Null(await instance.Store.GetAsync("alice:x", session.SessionId));

        // Even an entry copied under bob's key, over bob's own tag (COPY keeps the whole hash and its TTL), is not served for bob.
        Assert.True(await RedisDatabase.KeyCopyAsync(EntryKey("alice", session.SessionId), EntryKey("bob", session.SessionId), replace: true));
        Assert.True(await RedisDatabase.KeyCopyAsync(GenerationKey("alice", session.SessionId), GenerationKey("bob", session.SessionId), replace: true));
        Assert.NotNull(await RawValueAsync(EntryKey("bob", session.SessionId)));
        Assert.Null(await instance.Store.GetAsync("bob", session.SessionId));
    }

    [Fact]
    public async Task Invalid_input_is_rejected_before_the_cache_is_asked()
    {
        var instance = NewInstance();

        await Assert.ThrowsAsync<SessionValidationException>(() => instance.Store.GetAsync("alice", "bad:id"));
        await Assert.ThrowsAsync<SessionValidationException>(() => instance.Store.GetAsync("", "id"));
        await Assert.ThrowsAsync<SessionValidationException>(() => instance.Store.UpdateAsync("alice", "bad id", new SessionUpdate()));

        Assert.Equal(0, instance.Cache.Calls);
    }

    [Fact]
    public async Task Concurrent_misses_for_one_key_cause_one_database_read()
    {
        const int readers = 24;
        var completed = 0;
        var allButTheFirstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var instance = NewInstance();
        var session = await instance.Store.CreateAsync(SecretSession());
        var warm = await instance.Store.CreateAsync(NewSession());
        await instance.Store.GetAsync("alice", warm.SessionId); // the shared epoch tag exists now
        var readsBefore = instance.Database.DatabaseGets;

        // Hold the one fill back until every other reader returned: none can have found an entry, so each of them
        // either started the database read or joined it.
        var entryKey = EntryKey("alice", session.SessionId);
        instance.Cache.BeforeSet = key => key == entryKey ? allButTheFirstDone.Task.WaitAsync(TimeSpan.FromSeconds(20)) : Task.CompletedTask;
        var reads = Enumerable.Range(0, readers).Select(_ => Task.Run(async () =>
        {
            var read = await instance.Store.GetAsync("alice", session.SessionId);
            if (Interlocked.Increment(ref completed) == readers - 1)
            {
                allButTheFirstDone.SetResult();
            }

            return read;
        })).ToArray();
        var results = await Task.WhenAll(reads);

        Assert.Equal(1, instance.Database.DatabaseGets - readsBefore);
        Assert.All(results, r => Assert.Equal(AccessSecret, r!.Tokens!.AccessToken));
        Assert.Equal(readers, results.Distinct().Count()); // each caller has its own object
        Assert.Equal(0, instance.Metrics.Errors);
    }

    private static void AssertHoldsNoSecret(string where, byte[]? value)
    {
        var text = value is null ? "" : System.Text.Encoding.UTF8.GetString(value);
        foreach (var secret in Secrets)
        {
            for (var i = 0; i + 8 <= secret.Length; i++)
            {
                Assert.False(text.Contains(secret.Substring(i, 8), StringComparison.Ordinal), $"{where} holds part of a secret");
            }
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
