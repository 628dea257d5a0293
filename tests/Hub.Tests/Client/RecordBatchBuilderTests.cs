using System.Buffers.Binary;
using System.Text;
using Hub.Batches;
using Record = Hub.Batches.Record;

namespace Hub.Tests.Client;

public class RecordBatchBuilderTests
{
    [Fact]
    public void Round_trips_keys_values_headers_and_timestamps_through_RecordReader()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 64 * 1024);
        RecordHeader[] headers = [new("trace", "abc"u8.ToArray()), new("nullable", null), new("é-key", Array.Empty<byte>())];
        Assert.True(builder.Append(1_000, "k1"u8.ToArray(), "v1"u8.ToArray()));
        Assert.True(builder.Append(1_005, key: null, value: null));
        Assert.True(builder.Append(990, [], [], headers)); // an earlier timestamp gives a negative delta
        Assert.True(builder.Append(1_002, ReadOnlySpan<byte>.Empty, keyIsNull: true, "v4"u8, valueIsNull: false));

        var batch = builder.Build();

        var reader = new RecordReader(batch);
        var records = new List<Record>();
        while (reader.MoveNext()) records.Add(reader.Current);
        Assert.Equal(4, records.Count);
        Assert.Equal([0L, 1, 2, 3], records.Select(r => r.Offset));
        Assert.Equal([1_000L, 1_005, 990, 1_002], records.Select(r => r.Timestamp));

        Assert.Equal("k1"u8.ToArray(), records[0].Key!.Value.ToArray());
        Assert.Equal("v1"u8.ToArray(), records[0].Value!.Value.ToArray());
        Assert.Null(records[1].Key);
        Assert.Null(records[1].Value);
        Assert.True(records[2].Key is { IsEmpty: true });
        Assert.True(records[2].Value is { IsEmpty: true });
        Assert.Null(records[3].Key);
        Assert.Equal("v4"u8.ToArray(), records[3].Value!.Value.ToArray());

        Assert.Equal(0, records[0].HeaderCount);
        var decoded = records[2].DecodeHeaders();
        Assert.Equal(["trace", "nullable", "é-key"], decoded.Select(h => h.Key));
        Assert.Equal("abc"u8.ToArray(), decoded[0].Value!.Value.ToArray());
        Assert.Null(decoded[1].Value);
        Assert.True(decoded[2].Value is { IsEmpty: true });
    }

    [Fact]
    public void Build_fills_the_header_as_a_producer_without_idempotence_does()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 4096);
        builder.Append(5_000, "a"u8.ToArray(), "1"u8.ToArray());
        builder.Append(7_000, "b"u8.ToArray(), "2"u8.ToArray());
        builder.Append(6_000, "c"u8.ToArray(), "3"u8.ToArray());

        var batch = builder.Build();

        Assert.True(RecordBatchHeader.TryRead(batch.Span, out var header));
        Assert.Equal(0, header.BaseOffset);
        Assert.Equal(batch.Length, header.TotalSize);
        Assert.Equal(builder.SizeBytes, batch.Length);
        Assert.Equal(-1, header.PartitionLeaderEpoch);
        Assert.Equal(RecordBatchLayout.CurrentMagic, header.Magic);
        Assert.Equal(0, header.Attributes);
        Assert.Equal(2, header.LastOffsetDelta);
        Assert.Equal(5_000, header.BaseTimestamp);
        Assert.Equal(7_000, header.MaxTimestamp);
        Assert.Equal(-1, header.ProducerId);
        Assert.Equal(-1, header.ProducerEpoch);
        Assert.Equal(-1, header.BaseSequence);
        Assert.Equal(3, header.RecordCount);
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch.Span), header.Crc);
    }

    [Fact]
    public void The_crc_covers_the_records()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 4096);
        builder.Append(1, "key"u8.ToArray(), "value"u8.ToArray());
        var batch = builder.Build().ToArray();
        var stored = BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(RecordBatchLayout.Crc));

        batch[^1] ^= 0xFF;

        Assert.NotEqual(stored, RecordBatchHeader.ComputeCrc(batch));
    }

    [Fact]
    public void Encodes_a_record_in_Kafkas_byte_layout()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 4096);
        builder.Append(42, key: null, value: "a"u8.ToArray());

        var records = builder.Build().Span[RecordBatchLayout.HeaderSize..].ToArray();

        // length 7 (zig-zag 14), attributes 0, timestamp delta 0, offset delta 0, key length -1 (zig-zag 1),
        // value length 1 (zig-zag 2), 'a', no headers.
        Assert.Equal(new byte[] { 14, 0, 0, 0, 1, 2, (byte)'a', 0 }, records);
    }

    [Fact]
    public void Refuses_a_record_past_the_maximum_size_but_always_takes_the_first()
    {
        var value = new byte[100];
        using var small = new RecordBatchBuilder(maxSizeBytes: RecordBatchLayout.HeaderSize + 10);
        Assert.True(small.Append(0, null, value));
        Assert.False(small.Append(0, null, value));
        Assert.Equal(1, small.RecordCount);

        using var builder = new RecordBatchBuilder(maxSizeBytes: 1024);
        var accepted = 0;
        while (builder.Append(0, null, value)) accepted++;
        var sizeWhenFull = builder.SizeBytes;

        Assert.Equal(accepted, builder.RecordCount);
        Assert.True(sizeWhenFull <= 1024);
        Assert.True(sizeWhenFull + 100 > 1024);
        Assert.Equal(sizeWhenFull, builder.Build().Length);
    }

    [Fact]
    public void Grows_past_its_initial_capacity_without_losing_records()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 1024 * 1024, initialCapacity: 128);
        for (var i = 0; i < 1_000; i++) Assert.True(builder.Append(i, null, Encoding.UTF8.GetBytes($"value-{i}")));

        var reader = new RecordReader(builder.Build());
        var i2 = 0;
        while (reader.MoveNext())
        {
            Assert.Equal($"value-{i2}", Encoding.UTF8.GetString(reader.Current.Value!.Value.Span));
            Assert.Equal(i2, reader.Current.Timestamp);
            i2++;
        }
        Assert.Equal(1_000, i2);
    }

    [Fact]
    public void Reset_empties_the_builder_for_the_next_batch()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 4096);
        builder.Append(1, null, "first"u8.ToArray());
        builder.Build();

        builder.Reset();

        Assert.Equal(0, builder.RecordCount);
        Assert.Equal(RecordBatchLayout.HeaderSize, builder.SizeBytes);
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        builder.Append(9, null, "second"u8.ToArray());
        var reader = new RecordReader(builder.Build());
        Assert.True(reader.MoveNext());
        Assert.Equal(9, reader.Current.Timestamp);
        Assert.Equal("second"u8.ToArray(), reader.Current.Value!.Value.ToArray());
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Building_again_after_more_appends_covers_the_new_records()
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 4096);
        builder.Append(1, null, "a"u8.ToArray());
        builder.Build();
        builder.Append(2, null, "b"u8.ToArray());

        var batch = builder.Build();

        Assert.True(RecordBatchHeader.TryRead(batch.Span, out var header));
        Assert.Equal(2, header.RecordCount);
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch.Span), header.Crc);
    }
}
