using System.Text;
using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Silo.Cleaner;
using Hub.Silo.Log;
using Hub.Tests.Support;

namespace Hub.Tests.Cleaner;

/// <summary>Keyed batches for a compacted log, a run of its cleaner by hand, and what a consumer reads from it.</summary>
internal static class KeyedLog
{
    /// <summary>One batch of (key, value) records; a null value is a tombstone.</summary>
    public static byte[] Batch(long timestamp, params (string Key, string? Value)[] records) =>
        Batch(timestamp, CompressionType.None, records);

    public static byte[] Batch(long timestamp, CompressionType codec, params (string Key, string? Value)[] records)
    {
        using var builder = new RecordBatchBuilder(1 << 20, compression: codec);
        foreach (var (key, value) in records)
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        return builder.Build().ToArray();
    }

    /// <summary>
    /// Runs the cleaner on <paramref name="log"/> as the silo's <see cref="LogCleaner"/> does, on this thread; false when
    /// there was nothing to clean. <paramref name="afterStep"/> may throw to stop the swap as a crash would.
    /// </summary>
    public static bool Clean(SegmentLog log, ManualTimeProvider clock, long stableOffset = long.MaxValue, Action<SwapStep>? afterStep = null,
        int mapCapacity = 1 << 20)
    {
        using var job = log.StartCompaction(stableOffset, new CompactionPolicy(clock));
        if (job is null) return false;
        var result = LogCompactor.Rewrite(job, mapCapacity, new IoThrottle(double.MaxValue, clock), CancellationToken.None);
        if (log.CompleteCompaction(job, result, afterStep)) return true;
        result.Discard();
        return false;
    }

    /// <summary>Every record a consumer reads from the start, as (offset, key, value), with every batch's CRC checked.</summary>
    public static List<(long Offset, string Key, string? Value)> Records(SegmentLog log)
    {
        var records = new List<(long, string, string?)>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 1 << 20);
            foreach (var (header, bytes) in Log.TestBatches.Split(read.Memory))
            {
                Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(bytes));
                using var plain = header.Compression == CompressionType.None ? null : RecordBatchCompression.Decompress(bytes, header);
                var reader = new RecordReader(plain?.WrittenMemory ?? bytes);
                while (reader.MoveNext())
                {
                    var record = reader.Current;
                    Assert.InRange(record.Offset, header.BaseOffset, header.LastOffset);
                    records.Add((record.Offset, Encoding.UTF8.GetString(record.Key!.Value.Span),
                        record.Value is { } value ? Encoding.UTF8.GetString(value.Span) : null));
                }
                offset = header.LastOffset + 1;
            }
        }
        return records;
    }

    /// <summary>Each key's newest record, as a consumer reading the whole log ends up with: what cleaning must never change.</summary>
    public static Dictionary<string, (long Offset, string? Value)> Latest(SegmentLog log) =>
        Records(log).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => (g.Last().Offset, g.Last().Value));
}
