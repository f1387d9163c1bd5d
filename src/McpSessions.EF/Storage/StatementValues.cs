using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace McpSessions.EF.Storage;

/// <summary>
/// The parameter values of one statement by invariant parameter name, where EF's parameters look them up
/// (<see cref="IRelationalParameter.AddDbParameter(DbCommand, IReadOnlyDictionary{string, object})"/>). A statement
/// has a handful, so they sit in one small array searched in order: no hash table built and hashed on every call.
/// </summary>
internal sealed class StatementValues(int capacity = 4) : IReadOnlyDictionary<string, object?>
{
    private KeyValuePair<string, object?>[] _items = new KeyValuePair<string, object?>[Math.Max(capacity, 1)];

    public int Count { get; private set; }

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<object?> Values => this.Select(p => p.Value);

    /// <summary>The value of <paramref name="name"/>; setting it adds the name or replaces its value.</summary>
    public object? this[string name]
    {
        get => TryGetValue(name, out var value) ? value : throw new KeyNotFoundException(name);
        set
        {
            var i = IndexOf(name);
            if (i < 0)
            {
                if (Count == _items.Length)
                {
                    Array.Resize(ref _items, Count * 2);
                }

                i = Count++;
            }

            _items[i] = new(name, value);
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var i = IndexOf(key);
        value = i < 0 ? null : _items[i].Value;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
