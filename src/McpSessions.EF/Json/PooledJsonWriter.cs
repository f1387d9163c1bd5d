using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace McpSessions.EF.Json;

/// <summary>
/// Serialises a value to UTF-8 JSON in a buffer its thread reuses, for a caller that only passes the bytes on (to be
/// encrypted) and needs neither a string nor an array of its own. The buffer is cleared after each use: it held a
/// secret's plaintext.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as its thread; Utf8JsonWriter holds no unmanaged resource.")]
internal sealed class PooledJsonWriter
{
    /// <summary>A thread drops a buffer that grew past this, rather than keep a rare huge value's memory.</summary>
    private const int MaxKeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static PooledJsonWriter? t_current;

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private bool _inUse;

    private PooledJsonWriter() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    /// <summary>
    /// Serialises <paramref name="value"/> and hands its UTF-8 JSON to <paramref name="use"/>, which must not keep the span.
    /// </summary>
    public static TResult Serialize<T, TState, TResult>(T value, JsonTypeInfo<T> typeInfo, TState state, Func<ReadOnlySpan<byte>, TState, TResult> use)
    {
        // A nested call (none is expected) gets a writer of its own rather than the busy one.
        var writer = t_current is { _inUse: false } current ? current : new PooledJsonWriter();
        writer._inUse = true;
        try
        {
            writer._writer.Reset(writer._buffer);
            JsonSerializer.Serialize(writer._writer, value, typeInfo);
            writer._writer.Flush();
            return use(writer._buffer.WrittenSpan, state);
        }
        finally
        {
            writer._buffer.Clear();
            writer._inUse = false;
            t_current = writer._buffer.Capacity <= MaxKeptCapacity ? writer : null;
        }
    }
}
