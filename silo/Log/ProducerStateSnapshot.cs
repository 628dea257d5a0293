using System.Buffers.Binary;
using System.IO.Hashing;
using Hub.Silo.Storage;

namespace Hub.Silo.Log;

/// <summary>
/// The idempotent producers of a log as of one offset, in the file "&lt;offset&gt;.snapshot" beside the segments
/// (Kafka's producer snapshots): every batch below that offset is in it, none at or after. The log writes one
/// when a segment rolls (named by the new segment's base offset) and when it closes, deletes those below its
/// start with their segments and those past its end when a tail is cut, and on open restores its producers from
/// the newest one and the batches after it.
/// <para>
/// Layout, integers big-endian:
/// <code>version int16 | CRC-32C of the rest uint32 | producer count int32 | producers</code>
/// and per producer <c>id int64 | epoch int16 | last append ms int64 | open transaction's first offset int64 (-1: none)
/// | batch count int32 | batches</c> (version 1 had no transaction field and at least one batch), per batch
/// <c>first sequence int32 | last sequence int32 | base offset int64 | last offset int64</c>. Kafka's own format
/// keeps one batch per producer; this one keeps all those the duplicate check uses, so a retry of any of them is
/// still recognized after a restart.
/// </para>
/// <para>
/// Written whole through <see cref="AtomicFile"/>. A file that is short, long, of another version, fails its CRC or
/// holds impossible counts is reported and never used. All of the snapshots' file I/O is here.
/// </para>
/// </summary>
internal static class ProducerStateSnapshot
{
    private const short Version = 2;

    /// <summary>Before transactions; still read, so an upgraded broker keeps its producers' state.</summary>
    private const short VersionWithoutTransactions = 1;

    private const int HeaderSize = sizeof(short) + sizeof(uint) + sizeof(int);
    private const int ProducerHeaderSize = sizeof(long) + sizeof(short) + sizeof(long) + sizeof(long) + sizeof(int);
    private const int ProducerHeaderSizeWithoutTransactions = ProducerHeaderSize - sizeof(long);
    private const int BatchSize = sizeof(int) + sizeof(int) + sizeof(long) + sizeof(long);
    private const int CrcStart = sizeof(short) + sizeof(uint);

    public static string PathOf(string directory, long offset) =>
        Path.Combine(directory, SegmentFileName.For(offset, SegmentFileName.SnapshotExtension));

    /// <summary>Offsets of the snapshots in <paramref name="directory"/>, ascending; deletes what unfinished writes left.</summary>
    public static List<long> OffsetsIn(string directory, DiskIo io)
    {
        foreach (var torn in Directory.EnumerateFiles(directory, "*" + SegmentFileName.SnapshotExtension + AtomicFile.TempExtension))
            io.Delete(torn);
        var offsets = new List<long>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + SegmentFileName.SnapshotExtension))
        {
            if (SegmentFileName.TryParse(path, SegmentFileName.SnapshotExtension, out var offset)) offsets.Add(offset);
        }
        offsets.Sort();
        return offsets;
    }

    /// <summary>Writes the producers as of <paramref name="offset"/>, durably, replacing a snapshot at that offset.</summary>
    public static void Write(string directory, long offset, IEnumerable<ProducerState> producers, DiskIo io) =>
        AtomicFile.Write(PathOf(directory, offset), Encode(producers), io);

    /// <summary>The producers in the snapshot at <paramref name="offset"/>; null, with what is wrong, when it is missing or damaged.</summary>
    public static List<ProducerState>? TryRead(string directory, long offset, out string problem)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(directory, offset));
        }
        catch (IOException e)
        {
            problem = e.Message;
            return null;
        }
        return TryDecode(bytes, out problem);
    }

    /// <summary>
    /// Deletes a snapshot durably: one deleted because a tail was cut must not come back after a power loss, when the
    /// log may have grown past its offset again with other batches.
    /// </summary>
    public static void Delete(string directory, long offset, DiskIo io)
    {
        io.Delete(PathOf(directory, offset));
        io.FsyncDirectory(directory);
    }

    public static byte[] Encode(IEnumerable<ProducerState> producers)
    {
        var list = producers.ToList();
        var size = HeaderSize;
        foreach (var producer in list) size += ProducerHeaderSize + producer.Batches.Count * BatchSize;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, Version);
        BinaryPrimitives.WriteInt32BigEndian(span[CrcStart..], list.Count);
        var position = HeaderSize;
        foreach (var producer in list)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[position..], producer.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[(position + 8)..], producer.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 10)..], producer.LastAppendMs);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 18)..], producer.TransactionFirstOffset);
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 26)..], producer.Batches.Count);
            position += ProducerHeaderSize;
            foreach (var batch in producer.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[position..], batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(position + 4)..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 8)..], batch.BaseOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 16)..], batch.LastOffset);
                position += BatchSize;
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[sizeof(short)..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, span[CrcStart..]));
        return bytes;
    }

    /// <summary>The producers in a snapshot's bytes; null, with what is wrong, when the bytes are not a whole, sound snapshot.</summary>
    public static List<ProducerState>? TryDecode(ReadOnlySpan<byte> bytes, out string problem)
    {
        problem = "";
        if (bytes.Length < HeaderSize) return Damaged($"{bytes.Length} bytes are too few for a header", out problem);
        var version = BinaryPrimitives.ReadInt16BigEndian(bytes);
        if (version is not (Version or VersionWithoutTransactions)) return Damaged($"version {version} is neither {Version} nor {VersionWithoutTransactions}", out problem);
        var withTransactions = version == Version;
        var producerHeaderSize = withTransactions ? ProducerHeaderSize : ProducerHeaderSizeWithoutTransactions;
        if (Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, bytes[CrcStart..]) != BinaryPrimitives.ReadUInt32BigEndian(bytes[sizeof(short)..]))
            return Damaged("CRC mismatch", out problem);
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[CrcStart..]);
        var producers = new List<ProducerState>();
        var rest = bytes[HeaderSize..];
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < producerHeaderSize) return Damaged($"producer {i} of {count} runs past the end", out problem);
            var transactionFirstOffset = withTransactions ? BinaryPrimitives.ReadInt64BigEndian(rest[18..]) : -1;
            var batchCount = BinaryPrimitives.ReadInt32BigEndian(rest[(producerHeaderSize - sizeof(int))..]);
            // A producer known only by a transaction marker (its epoch bumped by an abort) has no batch in its epoch.
            if (batchCount is < 0 or > ProducerStateTable.CachedBatches || rest.Length < producerHeaderSize + batchCount * BatchSize)
                return Damaged($"producer {i} of {count} claims {batchCount} batches", out problem);
            var batches = new ProducerBatch[batchCount];
            for (var b = 0; b < batchCount; b++)
            {
                var batch = rest[(producerHeaderSize + b * BatchSize)..];
                batches[b] = new ProducerBatch(
                    BinaryPrimitives.ReadInt32BigEndian(batch),
                    BinaryPrimitives.ReadInt32BigEndian(batch[4..]),
                    BinaryPrimitives.ReadInt64BigEndian(batch[8..]),
                    BinaryPrimitives.ReadInt64BigEndian(batch[16..]));
            }
            producers.Add(new ProducerState(
                BinaryPrimitives.ReadInt64BigEndian(rest),
                BinaryPrimitives.ReadInt16BigEndian(rest[8..]),
                BinaryPrimitives.ReadInt64BigEndian(rest[10..]),
                batches,
                transactionFirstOffset));
            rest = rest[(producerHeaderSize + batchCount * BatchSize)..];
        }
        return rest.IsEmpty ? producers : Damaged($"{rest.Length} bytes follow the last producer", out problem);
    }

    private static List<ProducerState>? Damaged(string why, out string problem)
    {
        problem = why;
        return null;
    }
}
