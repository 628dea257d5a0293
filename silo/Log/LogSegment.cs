using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Hub.Silo.Log;

/// <summary>
/// One segment of a partition log: the ".log" file of batches starting at <see cref="BaseOffset"/>, its offset
/// and time indexes (kept in memory, written to ".index" / ".timeindex" by <see cref="PersistIndexes"/>), and
/// what retention and rolling need to know about it. Offsets in the indexes are relative int32s and positions
/// int32s, which <see cref="SegmentLog"/>'s roll rule guarantees fit. Every change to its files goes through
/// the log's <see cref="DiskIo"/>.
/// </summary>
internal sealed partial class LogSegment : IDisposable
{
    /// <summary>Log bytes between index entries: small enough that a lookup scans little, large enough that the indexes stay small.</summary>
    public const int IndexIntervalBytes = 4096;

    private const int LookupBufferBytes = 16 * 1024;
    private const int ScanBufferBytes = 1024 * 1024;

    private readonly DiskIo _io;
    private readonly SafeFileHandle _log;
    private readonly string _logPath;
    private readonly string _indexPath;
    private readonly string _timeIndexPath;
    private OffsetIndex _offsetIndex = new();
    private TimeIndex _timeIndex = new();
    private int _bytesSinceIndexEntry;
    private long _lastBatchBaseOffset;
    private long? _firstBatchTimestamp;

    private LogSegment(string directory, long baseOffset, FileMode mode, DiskIo io)
    {
        _io = io;
        BaseOffset = baseOffset;
        NextOffset = baseOffset;
        _logPath = Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.LogExtension));
        _indexPath = Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.IndexExtension));
        _timeIndexPath = Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.TimeIndexExtension));
        _log = io.Open(_logPath, mode, FileAccess.ReadWrite);
        Size = RandomAccess.GetLength(_log);
    }

    public long BaseOffset { get; }

    /// <summary>Offset after the last batch; <see cref="BaseOffset"/> while empty.</summary>
    public long NextOffset { get; private set; }

    public long Size { get; private set; }

    public bool IsEmpty => Size == 0;

    /// <summary>Largest record timestamp in the segment; -1 (Kafka's "no timestamp") while it has none.</summary>
    public long MaxTimestamp { get; private set; } = -1;

    /// <summary>
    /// When the segment file was created (ms since the epoch): its age decides time-based rolling. Taken from
    /// the broker's clock rather than from record timestamps, which producers set and may set far in the past.
    /// </summary>
    public long CreatedMs { get; private init; }

    /// <summary>When the segment was last written (ms since the epoch); retention's fallback for data without timestamps.</summary>
    public long LastModifiedMs { get; private set; }

    /// <summary>What time retention measures: the newest record's timestamp, else the last write.</summary>
    public long NewestTimestampMs => MaxTimestamp >= 0 ? MaxTimestamp : LastModifiedMs;

    public string Name => Path.GetFileName(_logPath);

    /// <summary>The ".log" file; the cleaner reads a closed segment through a handle of its own on it.</summary>
    public string LogPath => _logPath;

    /// <summary>
    /// The first batch's largest timestamp, else (no timestamps) when the file was created: how old the segment's
    /// oldest data is, for max.compaction.lag.ms. Read once, on first use; -1 while the segment is empty.
    /// </summary>
    public long FirstBatchTimestamp
    {
        get
        {
            if (_firstBatchTimestamp is { } known) return known;
            if (IsEmpty) return -1;
            using var cursor = CursorFromStart();
            var first = cursor.MoveNext() && cursor.Header.MaxTimestamp >= 0 ? cursor.Header.MaxTimestamp : CreatedMs;
            _firstBatchTimestamp = first;
            return first;
        }
    }

    /// <summary>Creates the empty log file of a new segment; its index files are written when it is persisted.</summary>
    public static LogSegment Create(string directory, long baseOffset, long nowMs, DiskIo io) =>
        new(directory, baseOffset, FileMode.CreateNew, io) { CreatedMs = nowMs, LastModifiedMs = nowMs };

    /// <summary>
    /// Opens an existing segment. A closed one (<paramref name="nextBaseOffset"/> given) keeps its index files
    /// when they are well formed and agree with the log: positions inside it, and the last time-index entry
    /// naming a batch that ends exactly at the end of the file and is followed by the next segment's offsets.
    /// The active segment, and a closed one whose indexes fail that check, is scanned batch by batch with CRCs
    /// verified and cut at the first damage (see <see cref="Recover"/>); <paramref name="damaged"/> tells
    /// whether anything was cut. <paramref name="gapsBelow"/>: see <see cref="DamageIn"/>.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, long? nextBaseOffset, long gapsBelow, DiskIo io, ILogger logger, out bool damaged)
    {
        var logPath = Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.LogExtension));
        var segment = new LogSegment(directory, baseOffset, FileMode.Open, io)
        {
            CreatedMs = new DateTimeOffset(File.GetCreationTimeUtc(logPath)).ToUnixTimeMilliseconds(),
            LastModifiedMs = new DateTimeOffset(File.GetLastWriteTimeUtc(logPath)).ToUnixTimeMilliseconds(),
        };
        damaged = false;
        if (nextBaseOffset is not { } next) damaged = !segment.Recover(logger, gapsBelow);
        else if (!segment.TryAdoptIndexFiles(next))
        {
            LogRebuildingIndexes(logger, segment.Name, directory);
            damaged = !segment.Recover(logger, gapsBelow);
            segment.PersistIndexes();
        }
        return segment;
    }

    /// <summary>
    /// Writes batches whose offsets are already assigned at the end of the file, in one write, and indexes them by
    /// the headers in <paramref name="validated"/>, which describe <paramref name="batches"/>.
    /// On an I/O error the file is cut back to where it was if the disk still lets it, so a failed append leaves
    /// nothing behind, and the append fails with KAFKA_STORAGE_ERROR.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, ReadOnlySpan<ValidatedBatch> validated, long nowMs)
    {
        var position = Size;
        try
        {
            _io.Write(_log, batches, position);
        }
        catch (IOException e)
        {
            try
            {
                _io.SetLength(_log, position);
            }
            catch (IOException)
            {
                // The disk refuses that too: its log directory is offline now, and a restart's recovery scan cuts the tail.
            }
            throw new HubException(ErrorCode.KafkaStorageError, $"writing to segment {Name} failed: {e.Message}");
        }
        foreach (ref readonly var batch in validated) IndexBatch(batch.Header, position + batch.Position);
        Size = position + batches.Length;
        LastModifiedMs = nowMs;
    }

    /// <summary>A cursor starting at or before the batch holding <paramref name="offset"/>, found through the offset index.</summary>
    public BatchCursor CursorNear(long offset) =>
        new(_log, _offsetIndex.PositionAtOrBefore(RelativeOffset(offset)), Size, LookupBufferBytes);

    /// <summary>A cursor over the whole segment.</summary>
    public BatchCursor CursorFromStart() => new(_log, 0, Size, LookupBufferBytes);

    public void ReadExactly(long position, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var n = RandomAccess.Read(_log, destination, position);
            if (n == 0) throw new IOException($"segment {Name} ended at {position}, before its known size {Size}");
            destination = destination[n..];
            position += n;
        }
    }

    /// <summary>
    /// The first record at or after <paramref name="timestamp"/> (by offset order), or null when the segment
    /// has none. Compressed batches are decompressed to find the record; batches stamped with log-append time
    /// (one time for all their records) answer with their base offset.
    /// </summary>
    public OffsetAndTimestamp? FindByTimestamp(long timestamp)
    {
        if (MaxTimestamp < timestamp) return null;
        using var cursor = CursorNear(BaseOffset + _timeIndex.RelativeOffsetBefore(timestamp));
        while (cursor.MoveNext())
        {
            var header = cursor.Header;
            if (header.MaxTimestamp < timestamp) continue;
            if ((header.Attributes & RecordBatchLayout.TimestampTypeLogAppendTime) != 0)
                return new OffsetAndTimestamp(header.BaseOffset, header.MaxTimestamp);
            if (FirstRecordAtOrAfter(cursor.ReadBatch(), header, timestamp) is { } found) return found;
        }
        return null;
    }

    /// <summary>
    /// The first record carrying the segment's largest timestamp (ListOffsets' MAX_TIMESTAMP, KIP-734), or null
    /// while the segment has no timestamps.
    /// </summary>
    public OffsetAndTimestamp? FindMaxTimestamp() => MaxTimestamp < 0 ? null : FindByTimestamp(MaxTimestamp);

    /// <summary>The batch's first record at or after <paramref name="timestamp"/>, decompressing the batch if need be.</summary>
    private static OffsetAndTimestamp? FirstRecordAtOrAfter(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, long timestamp)
    {
        if (header.Compression == CompressionType.None) return FirstRecordAtOrAfter(batch, timestamp);
        using var plain = RecordBatchCompression.Decompress(batch, header);
        return FirstRecordAtOrAfter(plain.WrittenMemory, timestamp);
    }

    private static OffsetAndTimestamp? FirstRecordAtOrAfter(ReadOnlyMemory<byte> uncompressedBatch, long timestamp)
    {
        var records = new RecordReader(uncompressedBatch);
        while (records.MoveNext())
        {
            if (records.Current.Timestamp >= timestamp) return new OffsetAndTimestamp(records.Current.Offset, records.Current.Timestamp);
        }
        return null;
    }

    /// <summary>
    /// Cuts the file before the batch holding <paramref name="offset"/> (or the first after it) and rebuilds the
    /// indexes by a rescan: truncation is rare (a follower dropping a divergent tail), so simple beats fast here.
    /// </summary>
    public void TruncateTo(long offset, long gapsBelow)
    {
        var cut = Size;
        using (var cursor = CursorNear(Math.Max(offset, BaseOffset)))
        {
            while (cursor.MoveNext())
            {
                if (cursor.Header.LastOffset < offset) continue;
                cut = cursor.Position;
                break;
            }
        }
        _io.SetLength(_log, cut);
        _io.Fsync(_log);
        Size = cut;
        _offsetIndex = new OffsetIndex();
        _timeIndex = new TimeIndex();
        _bytesSinceIndexEntry = 0;
        _firstBatchTimestamp = null;
        MaxTimestamp = -1;
        NextOffset = BaseOffset;
        Recover(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, gapsBelow);
    }

    /// <summary>fsyncs the log file.</summary>
    public void Flush() => _io.Fsync(_log);

    /// <summary>
    /// Writes both indexes to their files. First closes the time index with an entry for the last batch, so
    /// the segment's largest timestamp and end can be read back from the index without a scan.
    /// </summary>
    public void PersistIndexes()
    {
        if (!IsEmpty && (_timeIndex.Count == 0 || _timeIndex.Last.RelativeOffset < RelativeOffset(_lastBatchBaseOffset)))
            _timeIndex.Add(new(MaxTimestamp, RelativeOffset(_lastBatchBaseOffset)));
        _offsetIndex.WriteTo(_indexPath, _io);
        _timeIndex.WriteTo(_timeIndexPath, _io);
    }

    /// <summary>
    /// Closes and removes the segment's files, indexes first so a crash never leaves an index without its log. The
    /// caller fsyncs the directory (once for all the segments it deletes).
    /// </summary>
    public void Delete()
    {
        Dispose();
        _io.Delete(_indexPath);
        _io.Delete(_timeIndexPath);
        _io.Delete(_logPath);
    }

    public void Dispose() => _log.Dispose();

    /// <summary>
    /// Scans the whole file, verifying each batch's header, offset order and CRC, and rebuilds the indexes.
    /// At the first batch that fails, cuts the file there (a torn write or corruption: nothing from that point
    /// can be trusted or served). Returns false when it cut something.
    /// </summary>
    private bool Recover(ILogger logger, long gapsBelow)
    {
        using var cursor = new BatchCursor(_log, 0, Size, ScanBufferBytes);
        while (cursor.MoveNext())
        {
            if (DamageIn(cursor, gapsBelow) is { } damage) return Truncate(cursor.Position, damage, logger);
            IndexBatch(cursor.Header, cursor.Position);
        }
        return cursor.Damage is null || Truncate(cursor.Position, cursor.Damage, logger);
    }

    /// <summary>
    /// What is wrong with the cursor's batch as the next one in this segment; null when it is sound. Its offsets must
    /// continue the previous batch's (or the segment's base offset) exactly; only a batch starting below
    /// <paramref name="gapsBelow"/> may follow a gap, where a cleaner removed whole batches (this log's, or its leader's
    /// before a follower copied it). The base offset is not under the CRC: this is what finds it damaged.
    /// </summary>
    private string? DamageIn(BatchCursor cursor, long gapsBelow)
    {
        var header = cursor.Header;
        if (header.BaseOffset < NextOffset || (header.BaseOffset > NextOffset && header.BaseOffset >= gapsBelow) || header.LastOffsetDelta < 0)
            return $"batch claims offsets {header.BaseOffset}..{header.LastOffset} where offset {NextOffset} should start";
        return RecordBatchHeader.ComputeCrc(cursor.ReadBatch().Span) != header.Crc ? "CRC mismatch" : null;
    }

    private bool Truncate(long position, string damage, ILogger logger)
    {
        LogCutting(logger, Name, damage, position, Size - position, NextOffset);
        _io.SetLength(_log, position);
        _io.Fsync(_log);
        Size = position;
        return false;
    }

    /// <summary>Loads the index files of a closed segment and takes them as the truth if their last entries agree with the log; see <see cref="Open"/>.</summary>
    private bool TryAdoptIndexFiles(long nextBaseOffset)
    {
        if (OffsetIndex.TryLoad(_indexPath, Size) is not { } offsetIndex || TimeIndex.TryLoad(_timeIndexPath) is not { } timeIndex) return false;
        if (IsEmpty) return offsetIndex.Count == 0 && timeIndex.Count == 0 && nextBaseOffset == BaseOffset;
        if (timeIndex.Count == 0) return false;
        _offsetIndex = offsetIndex;
        var last = timeIndex.Last;
        using var cursor = CursorNear(BaseOffset + last.RelativeOffset);
        while (cursor.MoveNext())
        {
            var header = cursor.Header;
            if (header.BaseOffset < BaseOffset + last.RelativeOffset) continue;
            if (header.BaseOffset != BaseOffset + last.RelativeOffset || cursor.Position + header.TotalSize != Size
                || header.LastOffset + 1 != nextBaseOffset) break;
            _timeIndex = timeIndex;
            MaxTimestamp = last.Timestamp;
            NextOffset = nextBaseOffset;
            _lastBatchBaseOffset = header.BaseOffset;
            return true;
        }
        _offsetIndex = new OffsetIndex();
        return false;
    }

    /// <summary>Records a batch written at <paramref name="position"/> in the indexes and the segment's bounds.</summary>
    private void IndexBatch(in RecordBatchHeader header, long position)
    {
        MaxTimestamp = Math.Max(MaxTimestamp, header.MaxTimestamp);
        if (_bytesSinceIndexEntry >= IndexIntervalBytes)
        {
            var relativeOffset = RelativeOffset(header.BaseOffset);
            _offsetIndex.Add(new(relativeOffset, (int)position));
            if (_timeIndex.Count == 0 || MaxTimestamp > _timeIndex.Last.Timestamp) _timeIndex.Add(new(MaxTimestamp, relativeOffset));
            _bytesSinceIndexEntry = 0;
        }
        _bytesSinceIndexEntry += header.TotalSize;
        _lastBatchBaseOffset = header.BaseOffset;
        NextOffset = header.LastOffset + 1;
    }

    private int RelativeOffset(long offset) => (int)(offset - BaseOffset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilding the indexes of segment {Segment} in {Directory}")]
    private static partial void LogRebuildingIndexes(ILogger logger, string segment, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment {Segment}: {Damage} at byte {Position}; cutting {Bytes} bytes, the log now ends at offset {NextOffset}")]
    private static partial void LogCutting(ILogger logger, string segment, string damage, long position, long bytes, long nextOffset);
}
