using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Hub.Silo.Kafka.Protocol;

/// <summary>
/// Encodes Kafka protocol fields into a growable buffer rented from <see cref="ArrayPool{T}.Shared"/>; one
/// writer per connection is reused for every response, so answering allocates nothing per request once the
/// buffer has grown to the connection's usual response size. <see cref="Flexible"/> selects compact lengths
/// and tagged fields as in <see cref="ProtocolReader"/>. Not thread-safe.
/// </summary>
internal sealed class ProtocolWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>A buffer that grew past this (a large fetch) goes back to the pool after its response, not kept.</summary>
    private const int RetainedCapacity = 1 << 20;

    private const int InitialCapacity = 4096;

    private byte[] _buffer;
    private int _length;

    public ProtocolWriter(int initialCapacity = InitialCapacity) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public bool Flexible { get; set; }

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Empties the writer for the next response, giving an oversized buffer back to the pool.</summary>
    public void Reset()
    {
        _length = 0;
        Flexible = false;
        if (_buffer.Length > RetainedCapacity)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);
        }
    }

    /// <summary>
    /// Makes room for <paramref name="bytes"/> more at once: for a large response whose size is known, one buffer
    /// from the pool rather than a chain of doublings, each a multi-MiB rent the pool may not have.
    /// </summary>
    public void Reserve(int bytes) => Ensure(bytes);

    public void WriteInt8(sbyte value) => Take(1)[0] = (byte)value;

    public void WriteBool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Take(16), bigEndian: true, out _);

    public void WriteUVarint(uint value)
    {
        while (value >= 0x80)
        {
            Take(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Take(1)[0] = (byte)value;
    }

    public void WriteVarint(int value) => WriteUVarint((uint)((value << 1) ^ (value >> 31)));

    public void WriteString(string value) => WriteNullableString(value);

    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteLength(-1, classicIsInt32: false);
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (!Flexible && byteCount > short.MaxValue) throw new ArgumentException($"string of {byteCount} bytes is too long for an int16 length");
        WriteLength(byteCount, classicIsInt32: false);
        Encoding.UTF8.GetBytes(value, Take(byteCount));
    }

    /// <summary>A string given as its UTF-8 bytes (see <see cref="ProtocolReader.ReadNullableStringBytes"/>).</summary>
    public void WriteStringBytes(ReadOnlySpan<byte> utf8)
    {
        WriteLength(utf8.Length, classicIsInt32: false);
        utf8.CopyTo(Take(utf8.Length));
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLength(value.Length, classicIsInt32: true);
        value.CopyTo(Take(value.Length));
    }

    public void WriteNullableBytes(ReadOnlyMemory<byte>? value)
    {
        if (value is null) WriteLength(-1, classicIsInt32: true);
        else WriteBytes(value.Value.Span);
    }

    /// <summary>An array's element count; -1 writes a null array.</summary>
    public void WriteArrayLength(int count) => WriteLength(count, classicIsInt32: true);

    /// <summary>An empty tagged-field section in flexible versions (Hub sets no tagged fields); nothing otherwise.</summary>
    public void WriteEmptyTaggedFields()
    {
        if (Flexible) Take(1)[0] = 0;
    }

    /// <summary>Writes a placeholder int32 (a size prefix) and returns where it is, for <see cref="PatchInt32"/>.</summary>
    public int ReserveInt32()
    {
        var position = _length;
        Take(4);
        return position;
    }

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length)) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_length);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    /// <summary>Compact: unsigned varint N+1 (0 = null); classic: int16 for strings, int32 for bytes and arrays.</summary>
    private void WriteLength(int length, bool classicIsInt32)
    {
        if (Flexible) WriteUVarint((uint)(length + 1));
        else if (classicIsInt32) WriteInt32(length);
        else WriteInt16((short)length);
    }

    private Span<byte> Take(int count)
    {
        Ensure(count);
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _length >= count) return;
        var needed = (long)_length + count;
        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, 2L * _buffer.Length), Array.MaxLength));
        _buffer.AsSpan(0, _length).CopyTo(grown);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
