using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>The protocol's field encodings, byte for byte as the Kafka protocol guide defines them.</summary>
public sealed class ProtocolPrimitivesTests
{
    private static byte[] Write(bool flexible, Action<ProtocolWriter> write)
    {
        using var writer = new ProtocolWriter { Flexible = flexible };
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(1u, new byte[] { 0x01 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Unsigned_varints_are_little_endian_base_128(uint value, byte[] expected)
    {
        Assert.Equal(expected, Write(false, w => w.WriteUVarint(value)));
        var reader = new ProtocolReader(expected);
        Assert.Equal(value, reader.ReadUVarint());
        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Signed_varints_are_zig_zag(int value, byte[] expected)
    {
        Assert.Equal(expected, Write(false, w => w.WriteVarint(value)));
        Assert.Equal(value, new ProtocolReader(expected).ReadVarint());
    }

    [Fact]
    public void Fixed_width_integers_are_big_endian()
    {
        var bytes = Write(false, w =>
        {
            w.WriteInt8(-2);
            w.WriteBool(true);
            w.WriteInt16(0x0102);
            w.WriteInt32(0x03040506);
            w.WriteInt64(0x0708090A0B0C0D0E);
        });
        Assert.Equal(new byte[] { 0xFE, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E }, bytes);
        var reader = new ProtocolReader(bytes);
        Assert.Equal(-2, reader.ReadInt8());
        Assert.True(reader.ReadBool());
        Assert.Equal(0x0102, reader.ReadInt16());
        Assert.Equal(0x03040506, reader.ReadInt32());
        Assert.Equal(0x0708090A0B0C0D0E, reader.ReadInt64());
    }

    [Fact]
    public void Classic_strings_have_an_int16_length_and_null_is_minus_one()
    {
        Assert.Equal(new byte[] { 0x00, 0x03, (byte)'a', (byte)'b', (byte)'c' }, Write(false, w => w.WriteString("abc")));
        Assert.Equal(new byte[] { 0xFF, 0xFF }, Write(false, w => w.WriteNullableString(null)));
        var reader = new ProtocolReader(new byte[] { 0x00, 0x03, (byte)'a', (byte)'b', (byte)'c', 0xFF, 0xFF });
        Assert.Equal("abc", reader.ReadString());
        Assert.Null(reader.ReadNullableString());
    }

    [Fact]
    public void Compact_strings_have_length_plus_one_and_null_is_zero()
    {
        Assert.Equal(new byte[] { 0x04, (byte)'a', (byte)'b', (byte)'c' }, Write(true, w => w.WriteString("abc")));
        Assert.Equal(new byte[] { 0x00 }, Write(true, w => w.WriteNullableString(null)));
        Assert.Equal(new byte[] { 0x01 }, Write(true, w => w.WriteString("")));
        var reader = new ProtocolReader(new byte[] { 0x04, (byte)'a', (byte)'b', (byte)'c', 0x00, 0x01 }, flexible: true);
        Assert.Equal("abc", reader.ReadString());
        Assert.Null(reader.ReadNullableString());
        Assert.Equal("", reader.ReadString());
    }

    [Fact]
    public void Bytes_and_arrays_have_int32_or_compact_lengths()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 2, 0xAA, 0xBB }, Write(false, w => w.WriteBytes([0xAA, 0xBB])));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, Write(false, w => w.WriteNullableBytes(null)));
        Assert.Equal(new byte[] { 0x03, 0xAA, 0xBB }, Write(true, w => w.WriteBytes([0xAA, 0xBB])));
        Assert.Equal(new byte[] { 0, 0, 0, 5 }, Write(false, w => w.WriteArrayLength(5)));
        Assert.Equal(new byte[] { 0x06 }, Write(true, w => w.WriteArrayLength(5)));
        Assert.Equal(new byte[] { 0x00 }, Write(true, w => w.WriteArrayLength(-1)));

        var reader = new ProtocolReader(new byte[] { 0x03, 0xAA, 0xBB, 0x00, 0x02, 0x07 }, flexible: true);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, reader.ReadBytes().ToArray());
        Assert.Null(reader.ReadNullableBytes());
        Assert.Equal(1, reader.ReadArrayLength());
    }

    [Fact]
    public void Byte_fields_are_slices_of_the_request_not_copies()
    {
        var request = new byte[] { 0, 0, 0, 2, 0xAA, 0xBB };
        var bytes = new ProtocolReader(request).ReadBytes();
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment));
        Assert.Same(request, segment.Array);
        Assert.Equal(4, segment.Offset);
    }

    [Fact]
    public void Uuids_are_sixteen_bytes_most_significant_first()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var bytes = Write(false, w => w.WriteUuid(id));
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), bytes);
        Assert.Equal(id, new ProtocolReader(bytes).ReadUuid());
    }

    [Fact]
    public void Unknown_tagged_fields_are_skipped_and_none_are_written()
    {
        // Two tags: 0 with one byte, 5 with two bytes; then an int16 that must still be read correctly.
        var bytes = new byte[] { 0x02, 0x00, 0x01, 0xAA, 0x05, 0x02, 0xBB, 0xCC, 0x12, 0x34 };
        var reader = new ProtocolReader(bytes, flexible: true);
        reader.SkipTaggedFields();
        Assert.Equal(0x1234, reader.ReadInt16());
        Assert.Equal(new byte[] { 0x00 }, Write(true, w => w.WriteEmptyTaggedFields()));
        Assert.Empty(Write(false, w => w.WriteEmptyTaggedFields()));
    }

    [Fact]
    public void Size_prefixes_are_patched_in_place()
    {
        var bytes = Write(false, w =>
        {
            var at = w.ReserveInt32();
            w.WriteInt16(7);
            w.PatchInt32(at, w.Length - 4);
        });
        Assert.Equal(new byte[] { 0, 0, 0, 2, 0, 7 }, bytes);
    }

    [Fact]
    public void The_writer_grows_past_its_initial_buffer()
    {
        var big = new byte[100_000];
        Random.Shared.NextBytes(big);
        var bytes = Write(true, w => w.WriteBytes(big));
        Assert.Equal(big, new ProtocolReader(bytes, flexible: true).ReadBytes().ToArray());
    }

    public static TheoryData<string, byte[], bool> Malformed => new()
    {
        { "truncated int32", [0x00, 0x01], false },
        { "string longer than the request", [0x00, 0x09, (byte)'a'], false },
        { "negative string length", [0xFF, 0xFE], false },
        { "array claims more elements than bytes", [0x00, 0x00, 0x00, 0x10, 0x01], false },
        { "varint of six bytes", [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], true },
        { "varint over 32 bits", [0xFF, 0xFF, 0xFF, 0xFF, 0x1F], true },
        { "invalid UTF-8", [0x00, 0x02, 0xC3, 0x28], false },
        { "null where a string is required", [0xFF, 0xFF], false },
        { "tagged field longer than the request", [0x01, 0x00, 0x09, 0x00], true },
        { "tagged fields out of order", [0x02, 0x05, 0x00, 0x01, 0x00], true },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_fields_throw_the_protocol_exception(string why, byte[] bytes, bool flexible)
    {
        Assert.NotNull(why);
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes, flexible);
            switch (why)
            {
                case "truncated int32": reader.ReadInt32(); break;
                case "array claims more elements than bytes": reader.ReadArrayLength(); break;
                case "varint of six bytes" or "varint over 32 bits": reader.ReadUVarint(); break;
                case "tagged field longer than the request" or "tagged fields out of order": reader.SkipTaggedFields(); break;
                default: reader.ReadString(); break;
            }
        });
    }
}
