using System.Buffers;

namespace McpSessions.EF.Encryption;

/// <summary>
/// Bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>, such as a decrypted secret. Disposing clears them
/// before the array goes back, so no plaintext lingers in the pool.
/// </summary>
internal struct PooledBytes : IDisposable
{
    private byte[]? _array;

    public PooledBytes(int capacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(capacity);
        Length = 0;
    }

    public int Length { get; set; }

    /// <summary>The whole rented array, at least the capacity asked for.</summary>
    public readonly Span<byte> Buffer => _array;

    /// <summary>The first <see cref="Length"/> bytes.</summary>
    public readonly ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public void Dispose()
    {
        if (_array is { } array)
        {
            _array = null;
            ArrayPool<byte>.Shared.Return(array, clearArray: true);
        }
    }
}
