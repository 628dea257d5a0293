using System.Buffers.Binary;
using Hub.Batches;
using Hub.Silo.Log;
using Hub.Topics;

namespace Hub.Tests.Log;

/// <summary>
/// Puts transaction markers into a stopped silo's partition log, as a Kafka broker's transaction coordinator would
/// have them written: clients may not write control batches (INVALID_RECORD), so this is the way into a log until
/// Hub has transactions. Each marker's one record carries the key given, so a reader that handed it over would
/// deliver it on that key's stream like any record.
/// </summary>
internal static class ControlBatches
{
    /// <summary>Value of the markers' records, which no reader may ever show.</summary>
    public const string MarkerValue = "transaction marker";

    /// <summary>
    /// Appends two markers (one uncompressed, one lz4-compressed, as Kafka writes them under a topic's
    /// compression.type) to the log of <paramref name="topic"/>/<paramref name="partition"/> under the silo's data
    /// directory; the silo must be stopped. Returns the markers' offsets.
    /// </summary>
    public static long[] AppendMarkers(string dataDirectory, string topic, int partition, byte[] key)
    {
        using var log = SegmentLog.Open(Path.Combine(dataDirectory, "logs", $"{topic}-{partition}"), TopicConfig.Default);
        var epoch = Math.Max(0, log.LatestEpoch);
        var first = log.LogEndOffset;
        log.AppendReplicated(Marker(first, epoch, key));
        log.AppendReplicated(TestBatches.Compress(Marker(first + 1, epoch, key), CompressionType.Lz4));
        return [first, first + 1];
    }

    private static byte[] Marker(long offset, int epoch, byte[] key)
    {
        using var builder = new RecordBatchBuilder(1024);
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key, System.Text.Encoding.UTF8.GetBytes(MarkerValue));
        var marker = builder.Build().ToArray();
        BinaryPrimitives.WriteInt16BigEndian(marker.AsSpan(RecordBatchLayout.Attributes),
            (short)(RecordBatchLayout.ControlFlag | RecordBatchLayout.TransactionalFlag));
        RecordBatchHeader.WriteBaseOffset(marker, offset);
        RecordBatchHeader.WriteLeaderEpoch(marker, epoch);
        TestBatches.FixCrc(marker);
        return marker;
    }
}
