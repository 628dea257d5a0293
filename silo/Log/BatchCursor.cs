using System.Buffers;
using Hub.Batches;
using Microsoft.Win32.SafeHandles;

namespace Hub.Silo.Log;

/// <summary>
/// Walks the batches of a segment file front to back through a pooled buffer, so a scan over many small
/// batches costs one read per buffer rather than one per batch, and a large batch that is only stepped over
/// is never read. Stops at the end of the segment or at the first header that cannot be a batch
/// (<see cref="Damage"/> then says why and <see cref="Position"/> is where it starts).
/// </summary>
internal sealed class BatchCursor : IDisposable
{
    private const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    private readonly SafeFileHandle _file;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferStart;
    private int _bufferLength;
    private long _next;

    /// <param name="start">File position of the first batch to visit.</param>
    /// <param name="end">Segment size: bytes from here on are not part of the log.</param>
    /// <param name="bufferSize">Read size: small for lookups, large for whole-segment scans.</param>
    public BatchCursor(SafeFileHandle file, long start, long end, int bufferSize)
    {
        _file = file;
        _end = end;
        _next = start;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>File position of the current batch (or of the damage once <see cref="MoveNext"/> returned false).</summary>
    public long Position { get; private set; }

    public RecordBatchHeader Header { get; private set; }

    /// <summary>Why the walk stopped before the end of the segment; null at a clean end.</summary>
    public string? Damage { get; private set; }

    /// <summary>Moves to the next batch; false at the end of the segment or at damage.</summary>
    public bool MoveNext()
    {
        Position = _next;
        var remaining = _end - Position;
        if (remaining == 0) return false;
        if (remaining < RecordBatchLayout.HeaderSize)
            return Stop($"{remaining} bytes at the end are too few for a batch header");
        RecordBatchHeader.TryRead(Buffered(Position, RecordBatchLayout.HeaderSize).Span, out var header);
        if (header.Magic != RecordBatchLayout.CurrentMagic)
            return Stop($"magic byte is {header.Magic}, not {RecordBatchLayout.CurrentMagic}");
        if (header.BatchLength < MinBatchLength)
            return Stop($"batch length {header.BatchLength} is shorter than a batch header");
        if ((long)header.BatchLength + RecordBatchLayout.LogOverhead > remaining)
            return Stop($"batch of {(long)header.BatchLength + RecordBatchLayout.LogOverhead} bytes runs past the end ({remaining} bytes left)");
        Header = header;
        _next = Position + header.TotalSize;
        return true;
    }

    /// <summary>The whole current batch; valid until the next call on this cursor.</summary>
    public ReadOnlyMemory<byte> ReadBatch() => Buffered(Position, Header.TotalSize);

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private bool Stop(string damage)
    {
        Damage = damage;
        return false;
    }

    private ReadOnlyMemory<byte> Buffered(long position, int length)
    {
        if (position < _bufferStart || position + length > _bufferStart + _bufferLength) Fill(position, length);
        return _buffer.AsMemory((int)(position - _bufferStart), length);
    }

    private void Fill(long position, int length)
    {
        if (length > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(length);
        }
        var wanted = (int)Math.Min(_buffer.Length, _end - position);
        var read = 0;
        while (read < wanted)
        {
            var n = RandomAccess.Read(_file, _buffer.AsSpan(read, wanted - read), position + read);
            if (n == 0) throw new IOException($"segment file ended at {position + read}, before its known size {_end}");
            read += n;
        }
        _bufferStart = position;
        _bufferLength = read;
    }
}
