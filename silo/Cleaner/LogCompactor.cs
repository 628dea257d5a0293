using Hub.Batches;
using Hub.Partitions;
using Hub.Batches.Compression;
using Hub.Silo.Log;
using Hub.Silo.Storage;

namespace Hub.Silo.Cleaner;

/// <summary>
/// The cleaner's work on one log, off the partition's turn, on a cleaner thread: reads the dirty segments into an
/// <see cref="OffsetMap"/> (newest offset per key), then rewrites every segment of the job up to where the map ends,
/// run by run (<see cref="SegmentGroups"/>), each into a "&lt;base&gt;.log.cleaned" file that is fsynced, keeping
/// what <see cref="CompactionRules"/> keep. It changes no file of the log: <see cref="SegmentSwap"/> swaps the cleaned
/// files in, in the log's turn. All its reads and writes count against the <see cref="IoThrottle"/>. The ".cleaned"
/// files are scratch files, written with plain file I/O rather than the log directory's <see cref="DiskIo"/>: a
/// cleaning that fails (its partition deleted under it, say) fails alone and never takes the directory offline; a
/// failing disk shows at the log's own next write, and the swap's renames and deletions go through the log's DiskIo.
/// </summary>
internal static class LogCompactor
{
    /// <summary>Bytes read from a segment at a time.</summary>
    private const int ReadBufferBytes = 1024 * 1024;

    /// <summary>Bytes gathered before one write to the cleaned file: large writes, and a bounded buffer.</summary>
    private const int WriteChunkBytes = 1024 * 1024;

    public static CompactionResult Rewrite(CompactionJob job, int mapCapacity, IoThrottle throttle, CancellationToken cancel)
    {
        var map = new OffsetMap(mapCapacity);
        long bytesRead = 0, bytesWritten = 0;
        var mapEnd = BuildMap(job, map, throttle, ref bytesRead, cancel);
        var context = new CompactionContext(map, mapEnd, job.NowMs, job.DeleteRetentionMs, job.ProducerLastOffsets, job.AbortedTransactions, new TransactionMarkers());
        var cleaned = new List<CleanedSegment>();
        try
        {
            foreach (var group in SegmentGroups.Of(job.Segments.Where(s => s.BaseOffset < mapEnd), job.MaxSegmentBytes))
            {
                var segment = WriteCleaned(job, group, context, throttle, ref bytesRead, cancel);
                cleaned.Add(segment);
                bytesWritten += segment.Size;
            }
        }
        catch
        {
            new CompactionResult(mapEnd, cleaned, [], bytesRead, bytesWritten).Discard();
            throw;
        }
        return new CompactionResult(mapEnd, cleaned, context.Markers.Removed, bytesRead, bytesWritten);
    }

    /// <summary>
    /// Puts the keys of the dirty part in <paramref name="map"/>; returns where the map ends: the first uncleanable
    /// offset, or the batch that would not have fit when the map filled up first (the next cleaning goes on from there).
    /// </summary>
    private static long BuildMap(CompactionJob job, OffsetMap map, IoThrottle throttle, ref long bytesRead, CancellationToken cancel)
    {
        foreach (var segment in job.Segments)
        {
            if (segment.EndOffset <= job.FirstDirtyOffset) continue;
            using var cursor = Cursor(segment);
            while (cursor.MoveNext())
            {
                var header = cursor.Header;
                if (header.LastOffset < job.FirstDirtyOffset || CompactionRules.FeedsNoKeys(header, job.AbortedTransactions)) continue;
                if (map.Count > 0 && map.WouldOverflow(header.RecordCount)) return Math.Max(header.BaseOffset, job.FirstDirtyOffset);
                var batch = cursor.ReadBatch();
                using var plain = header.Compression == CompressionType.None ? null : RecordBatchCompression.Decompress(batch, header);
                var records = new RecordReader(plain?.WrittenMemory ?? batch);
                while (records.MoveNext())
                {
                    if (records.Current.Key is { } key && records.Current.Offset >= job.FirstDirtyOffset) map.Put(key.Span, records.Current.Offset);
                }
                bytesRead += header.TotalSize;
                throttle.Take(header.TotalSize, cancel);
            }
            ThrowIfDamaged(cursor, segment);
        }
        return job.FirstUncleanableOffset;
    }

    /// <summary>Writes one run of old segments, cleaned, to its ".cleaned" file, fsynced, with the newest old file's modification time (retention's fallback clock).</summary>
    private static CleanedSegment WriteCleaned(CompactionJob job, List<CompactionJob.Segment> group, CompactionContext context, IoThrottle throttle,
        ref long bytesRead, CancellationToken cancel)
    {
        var baseOffset = group[0].BaseOffset;
        var path = Path.Combine(job.Directory, SegmentFileName.For(baseOffset, SegmentFileName.LogExtension) + SegmentSwap.CleanedExtension);
        var kept = new List<Record>();
        long size = 0;
        using (var file = DiskIo.Plain.Open(path, FileMode.Create))
        {
            var chunk = NewChunk();
            try
            {
                for (var i = 0; i < group.Count; i++)
                {
                    using var cursor = Cursor(group[i]);
                    while (cursor.MoveNext())
                    {
                        var header = cursor.Header;
                        var last = i == group.Count - 1 && header.LastOffset + 1 == group[i].EndOffset;
                        BatchCompactor.Compact(cursor.ReadBatch(), header, context, last, kept, chunk);
                        bytesRead += header.TotalSize;
                        throttle.Take(header.TotalSize, cancel);
                        if (chunk.Length < WriteChunkBytes) continue;
                        size += Flush(file, chunk, size, throttle, cancel);
                        chunk.Dispose();
                        chunk = NewChunk();
                    }
                    ThrowIfDamaged(cursor, group[i]);
                }
                size += Flush(file, chunk, size, throttle, cancel);
            }
            finally
            {
                chunk.Dispose();
            }
            DiskIo.Plain.Fsync(file);
        }
        File.SetLastWriteTimeUtc(path, group[^1].LastWriteUtc);
        return new CleanedSegment(baseOffset, group[^1].EndOffset, path, size, group);
    }

    private static int Flush(Microsoft.Win32.SafeHandles.SafeFileHandle file, PooledBufferWriter chunk, long position, IoThrottle throttle, CancellationToken cancel)
    {
        DiskIo.Plain.Write(file, chunk.WrittenMemory.Span, position);
        throttle.Take(chunk.Length, cancel);
        return chunk.Length;
    }

    /// <summary>No limit of its own: one chunk holds at most <see cref="WriteChunkBytes"/> plus one batch.</summary>
    private static PooledBufferWriter NewChunk() => new(WriteChunkBytes + RecordBatchLayout.HeaderSize, int.MaxValue);

    private static BatchCursor Cursor(CompactionJob.Segment segment) => new(segment.Reader, 0, segment.Size, ReadBufferBytes);

    /// <summary>A closed segment that can't be walked to its end is left alone: the cleaning stops, the log stays as it is.</summary>
    private static void ThrowIfDamaged(BatchCursor cursor, CompactionJob.Segment segment)
    {
        if (cursor.Damage is { } damage)
            throw new InvalidDataException($"segment {segment.BaseOffset} is damaged at byte {cursor.Position}: {damage}");
    }
}
