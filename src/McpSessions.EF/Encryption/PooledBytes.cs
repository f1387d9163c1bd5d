using System.Buffers;

namespace McpSessions.EF.Encryption;

/// <summary>
/// Bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>, such as a decrypted secret. Disposing clears them
/// before the array goes back, so no plaintext lingers in the pool. Made <see cref="Exact"/>, they are an array of their
/// own instead, for a caller that keeps them (<see cref="ToArray"/> hands it over without a copy).
/// </summary>
internal struct PooledBytes : IDisposable
{
    private byte[]? _array;
    private readonly bool _pooled;

    public PooledBytes(int capacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(capacity);
        _pooled = true;
        Length = 0;
    }

    private PooledBytes(byte[] array)
    {
        _array = array;
        Length = array.Length;
    }

    /// <summary>An array of exactly <paramref name="length"/> bytes, not pooled: nothing to clear, nothing to copy.</summary>
    public static PooledBytes Exact(int length) => new(GC.AllocateUninitializedArray<byte>(length));

    public int Length { get; set; }

    /// <summary>The whole rented array, at least the capacity asked for.</summary>
    public readonly Span<byte> Buffer => _array;

    /// <summary>The first <see cref="Length"/> bytes.</summary>
    public readonly ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    /// <summary>The bytes as an array of their own: the array itself when made <see cref="Exact"/>, else a copy.</summary>
    public readonly byte[] ToArray() => !_pooled && _array is { } array && array.Length == Length ? array : Span.ToArray();

    public void Dispose()
    {
        if (_array is { } array)
        {
            _array = null;
            if (_pooled)
            {
                ArrayPool<byte>.Shared.Return(array, clearArray: true);
            }
        }
    }
}
