using System.Buffers;

namespace Hub.Batches.Compression;

/// <summary>
/// A growable buffer rented from <see cref="ArrayPool{T}.Shared"/> that refuses to grow past a limit, for codec
/// output whose size is known only once written (above all decompression, whose size the input does not bound).
/// Not thread-safe; dispose to return the buffer.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly int _maxLength;
    private byte[] _buffer;
    private int _length;

    public PooledBufferWriter(int initialCapacity, int maxLength)
    {
        _maxLength = maxLength;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initialCapacity, maxLength));
    }

    public int Length => _length;

    /// <summary>Bytes that may still be written before the limit.</summary>
    public int Remaining => _maxLength - _length;

    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Advance(int count)
    {
        if (count < 0 || count > _buffer.Length - _length) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    /// <summary>Never empty: at the limit it throws instead, so a reader filling it can't mistake it for the end of its input.</summary>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length, Math.Min(_buffer.Length, _maxLength) - _length);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>The error for output that does not fit the limit.</summary>
    public InvalidDataException LimitExceeded() => new($"output would exceed its limit of {_maxLength} bytes");

    private void Ensure(int sizeHint)
    {
        var needed = (long)_length + Math.Max(sizeHint, 1);
        if (needed <= Math.Min(_buffer.Length, _maxLength)) return;
        if (needed > _maxLength) throw LimitExceeded();
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, 2L * _buffer.Length), _maxLength));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
