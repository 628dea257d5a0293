using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Hub.Batches.Compression;

namespace Hub.Batches;

/// <summary>
/// Encodes records into one v2 record batch (layouts in <see cref="RecordBatchLayout"/> and
/// <see cref="RecordReader"/>), uncompressed or with its records section compressed by a Kafka codec. The
/// records are encoded uncompressed as they come; <see cref="Build()"/> compresses them all at once into a
/// second buffer. Buffers are rented from <see cref="ArrayPool{T}.Shared"/> and grow by doubling, so a producer
/// pays for one or two buffers per batch rather than one allocation per record; they go back to the pool on
/// <see cref="Reset"/> or <see cref="Dispose"/>. Not thread-safe.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly int _maxSizeBytes;
    private readonly int _initialCapacity;
    private byte[]? _buffer;
    private PooledBufferWriter? _compressed;
    private int _size = RecordBatchLayout.HeaderSize;
    private long _baseTimestamp;
    private long _maxTimestamp;

    /// <param name="maxSizeBytes">
    /// Size (header included) the batch must stay within; a record that would cross it is refused, except the
    /// first, so one oversized record still forms a batch (the broker then judges it against max.message.bytes).
    /// </param>
    /// <param name="initialCapacity">Bytes to rent up front; small batches then never need to grow.</param>
    /// <param name="compression">The codec of the records section <see cref="Build()"/> writes.</param>
    public RecordBatchBuilder(int maxSizeBytes, int initialCapacity = 16 * 1024, CompressionType compression = CompressionType.None)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSizeBytes, RecordBatchLayout.HeaderSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        if (compression > CompressionType.Zstd) throw new ArgumentOutOfRangeException(nameof(compression), compression, "not a Kafka codec");
        _maxSizeBytes = maxSizeBytes;
        _initialCapacity = Math.Min(initialCapacity, maxSizeBytes);
        Compression = compression;
    }

    public CompressionType Compression { get; }

    public int RecordCount { get; private set; }

    /// <summary>
    /// Encoded size of the batch so far, header included, before compression: what the size limit counts, as
    /// the records' compressed size is known only once the batch is built.
    /// </summary>
    public int SizeBytes => _size;

    /// <summary>Appends a record whose key and value may be null (a null array), as Kafka distinguishes null from empty.</summary>
    public bool Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null) =>
        Append(timestamp, key, key is null, value, value is null, headers);

    /// <summary>
    /// Appends a record; false (and nothing written) when it would take the batch past its maximum size.
    /// </summary>
    /// <param name="keyIsNull">Writes a null key (length -1) rather than <paramref name="key"/>, which is then ignored.</param>
    /// <param name="valueIsNull">Writes a null value (a tombstone) rather than <paramref name="value"/>.</param>
    public bool Append(
        long timestamp,
        ReadOnlySpan<byte> key, bool keyIsNull,
        ReadOnlySpan<byte> value, bool valueIsNull,
        IReadOnlyList<RecordHeader>? headers = null)
    {
        if (RecordCount == 0) _baseTimestamp = _maxTimestamp = timestamp;
        var timestampDelta = timestamp - _baseTimestamp;
        var offsetDelta = RecordCount;
        var headerCount = headers?.Count ?? 0;

        long bodySize = 1 // attributes
            + Varint.SizeOfInt64(timestampDelta)
            + Varint.SizeOfInt32(offsetDelta)
            + SizeOfBytes(keyIsNull ? -1 : key.Length)
            + SizeOfBytes(valueIsNull ? -1 : value.Length)
            + Varint.SizeOfInt32(headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var header = headers![i];
            bodySize += SizeOfBytes(Encoding.UTF8.GetByteCount(header.Key)) + SizeOfBytes(header.Value?.Length ?? -1);
        }
        if (bodySize > int.MaxValue - Varint.MaxInt32Bytes - _size)
            throw new ArgumentException("record too large for a record batch");
        var recordSize = Varint.SizeOfInt32((int)bodySize) + (int)bodySize;
        if (RecordCount > 0 && _size + recordSize > _maxSizeBytes) return false;

        EnsureCapacity(_size + recordSize);
        var span = _buffer.AsSpan(_size, recordSize);
        var p = Varint.WriteInt32(span, (int)bodySize);
        span[p++] = 0; // record attributes: unused in v2
        p += Varint.WriteInt64(span[p..], timestampDelta);
        p += Varint.WriteInt32(span[p..], offsetDelta);
        p += WriteBytes(span[p..], key, keyIsNull);
        p += WriteBytes(span[p..], value, valueIsNull);
        p += Varint.WriteInt32(span[p..], headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var header = headers![i];
            var keyLength = Encoding.UTF8.GetByteCount(header.Key);
            p += Varint.WriteInt32(span[p..], keyLength);
            p += Encoding.UTF8.GetBytes(header.Key, span[p..]);
            p += WriteBytes(span[p..], header.Value.GetValueOrDefault().Span, header.Value is null);
        }

        _size += recordSize;
        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        RecordCount++;
        return true;
    }

    /// <summary>
    /// Fills in the header and CRC, compresses the records when the builder has a codec, and returns the whole
    /// batch. The memory stays valid until the next build, <see cref="Reset"/> or <see cref="Dispose"/>;
    /// appending more and building again is allowed.
    /// </summary>
    public ReadOnlyMemory<byte> Build() => Build(ProducerStamp.None);

    /// <summary><see cref="Build()"/> for an idempotent or transactional producer: the header carries <paramref name="stamp"/>.</summary>
    public ReadOnlyMemory<byte> Build(in ProducerStamp stamp)
    {
        if (RecordCount == 0) throw new InvalidOperationException("a record batch needs at least one record");
        var batch = _buffer.AsSpan(0, _size);
        // Leader epoch -1 is Kafka's "no leader epoch": a producer doesn't know it, the partition leader stamps it.
        new RecordBatchHeader(BaseOffset: 0, _size - RecordBatchLayout.LogOverhead, PartitionLeaderEpoch: -1, RecordBatchLayout.CurrentMagic,
            Crc: 0, Attributes: stamp.IsTransactional ? RecordBatchLayout.TransactionalFlag : (short)0, RecordCount - 1, _baseTimestamp, _maxTimestamp, stamp.ProducerId, stamp.ProducerEpoch, stamp.BaseSequence,
            RecordCount).WriteFields(batch);
        if (Compression == CompressionType.None)
        {
            BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));
            return _buffer.AsMemory(0, _size);
        }
        // Compressed records come out smaller as a rule; starting at half the records' size saves most regrowth.
        _compressed?.Dispose();
        _compressed = RecordBatchCompression.NewCompressedOutput(RecordBatchLayout.HeaderSize + _size / 2);
        RecordBatchCompression.Compress(batch, Compression, _compressed);
        return _compressed.WrittenMemory;
    }

    /// <summary>Empties the builder and returns its buffer to the pool; memory from <see cref="Build"/> is then invalid.</summary>
    public void Reset()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        _compressed?.Dispose();
        _compressed = null;
        _size = RecordBatchLayout.HeaderSize;
        RecordCount = 0;
    }

    public void Dispose() => Reset();

    /// <summary>
    /// Empties the builder without returning its buffer to the pool, for memory from <see cref="Build"/> that
    /// may still be read: a grain call that timed out can still sit in Orleans' send queue with it.
    /// </summary>
    public void Abandon()
    {
        _buffer = null;
        _compressed = null;
        Reset();
    }

    /// <summary>
    /// Moves the records to a fresh buffer and leaves the old one to the garbage collector, for a batch about to be
    /// built again differently while memory from an earlier <see cref="Build()"/> may still be read.
    /// </summary>
    public void MoveToFreshBuffer()
    {
        _compressed = null; // built again from the records, into a new buffer
        if (_buffer is null) return;
        var fresh = ArrayPool<byte>.Shared.Rent(_buffer.Length);
        _buffer.AsSpan(0, _size).CopyTo(fresh);
        _buffer = fresh;
    }

    private void EnsureCapacity(int needed)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _initialCapacity));
            return;
        }
        if (needed <= _buffer.Length) return;
        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, 2L * _buffer.Length), int.MaxValue));
        _buffer.AsSpan(0, _size).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }

    private static int SizeOfBytes(int length) => Varint.SizeOfInt32(length) + Math.Max(length, 0);

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull) return Varint.WriteInt32(destination, -1);
        var p = Varint.WriteInt32(destination, bytes.Length);
        bytes.CopyTo(destination[p..]);
        return p + bytes.Length;
    }
}
