using Hub.Batches.Compression;
using Hub.Partitions;

namespace Hub.Client.Consuming;

/// <summary>
/// A whole record batch queued for the reader, and, with <see cref="RecordLifetime.UntilNextBatch"/>, the pooled
/// buffers to give back once the reader has moved past it: its own decompression buffer, and the fetch reply it was
/// cut from when it is the last batch queued from that reply (a partition's batches are read in order, so the
/// reply's earlier batches are done with by then). Both are null with <see cref="RecordLifetime.Unbounded"/>.
/// </summary>
internal readonly struct FetchedBatch(ReadOnlyMemory<byte> bytes, PooledBufferWriter? decompressed, PooledBatches? reply)
{
    /// <summary>The batch as the reader walks it: uncompressed, or a control batch as stored.</summary>
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    /// <summary>Gives the buffers back; call once, after the last use of <see cref="Bytes"/> and of slices of it.</summary>
    public void Release()
    {
        decompressed?.Dispose();
        reply?.Dispose();
    }
}
