using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Cleaner;
using Hub.Partitions;
using Hub.Silo.Storage;
using Hub.Silo.Topics;
using Hub.Topics;
using Hub.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Silo.Log;

/// <summary>
/// The append-only log of one partition replica, stored as segment files in one directory, in Kafka's layout.
/// <para>
/// On disk: segment files named by their base offset (the first offset they hold) as 20 zero-padded digits.
/// "&lt;base&gt;.log" holds record batches in Kafka's v2 format, back to back, byte for byte as the producer sent
/// them except the base offset and partition leader epoch, which the log sets (the CRC does not cover them).
/// Offsets are consecutive across segments. "&lt;base&gt;.index" is a sparse offset index, one entry per
/// ~4 KiB of log (<see cref="LogSegment.IndexIntervalBytes"/>): relative offset int32 + file position int32,
/// pointing at the start of a batch. "&lt;base&gt;.timeindex" is a sparse time index at the same points:
/// largest timestamp so far int64 + relative offset int32 of that batch, added when that maximum grows, and
/// ending with an entry for the segment's last batch. All integers are big-endian.
/// </para>
/// <para>
/// Indexes live in memory and are written to their files when a segment is rolled and when the log is
/// disposed. On open, a closed segment's index files are used only if they are well formed and agree with
/// its log; otherwise that segment is scanned. The last (active) segment is always scanned, because it is
/// the one a crash can leave torn: every batch's header, offset continuity and CRC are checked, the file is
/// cut at the first bad batch (with a warning naming what was cut), and any later segments are discarded,
/// so a damaged batch is never served.
/// </para>
/// <para>
/// Beside the segments: the <see cref="LeaderEpochCache"/> (which leader epoch wrote which offsets) and the
/// idempotent producers' state (<see cref="ProducerStateTable"/>), snapshotted to "&lt;offset&gt;.snapshot" files
/// (<see cref="ProducerStateSnapshot"/>) when a segment rolls and when the log closes, and restored on open from
/// the newest sound snapshot within the log plus the batch headers after it (all of them when there is none), so
/// a producer's retry after a restart or a failover is still recognized however long ago its last batch was.
/// A leader appends with <see cref="Append"/> (offsets assigned here); a follower copies the leader's batches
/// with <see cref="AppendReplicated"/> (offsets kept) and cuts a divergent tail with <see cref="TruncateTo"/>.
/// </para>
/// <para>
/// Transactions: the producer table tracks each producer's open transaction; markers (<see cref="AppendMarker"/>, or
/// copied from the leader) close them, and aborted ones go into the <see cref="AbortedTransactionIndex"/>.
/// <see cref="LastStableOffset"/> is where read_committed consumers stop: before the oldest transaction still open,
/// or ended by a marker not yet below the high watermark.
/// </para>
/// <para>
/// A compacted topic's log is cleaned by the silo's <see cref="LogCleaner"/>: <see cref="StartCompaction"/> plans a
/// cleaning, the cleaner rewrites segments into scratch ".cleaned" files off the grain's turn, and
/// <see cref="CompleteCompaction"/> swaps them in (see <see cref="SegmentSwap"/>). Cleaned segments keep every batch's
/// offsets but may lack whole batches, so offsets have gaps there; "cleaner-offset-checkpoint" records how far the
/// log is clean and below which offset a gap is no damage (<see cref="CleanerCheckpoint"/>).
/// </para>
/// <para>
/// Every change to the log's files goes through its <see cref="DiskIo"/> (the cleaner's scratch files excepted); an I/O error fails the call that met it
/// (an append with KAFKA_STORAGE_ERROR) and is reported there, which takes the whole log directory offline.
/// Creating, deleting or cutting segments fsyncs the directory, so the change survives a power loss.
/// </para>
/// <para>
/// Not thread-safe: one caller at a time (the partition grain's turn). Every call is synchronous but the
/// background flush, whose completion runs in the caller's context.
/// </para>
/// </summary>
internal sealed partial class SegmentLog : IDisposable
{
    private readonly string _directory;
    private readonly DiskIo _io;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<LogSegment> _segments;
    private readonly LeaderEpochCache _epochs;
    private readonly ProducerStateTable _producers;
    private AbortedTransactionIndex _aborted = null!;

    /// <summary>Transactions ended by markers the high watermark may not have passed yet: (first offset, marker offset), in marker order.</summary>
    private readonly List<(long FirstOffset, long MarkerOffset)> _unreplicatedEnds = [];
    private readonly ValidatedBatches _appending = new();
    private readonly FlushPolicy _flush;
    private TopicConfig _config;
    private Task? _backgroundFlush;

    /// <summary>Where the cleaner got to, and below which batches may follow gaps (see <see cref="CleanerCheckpoint"/>).</summary>
    private CleanerCheckpoint.Offsets _checkpoint;

    /// <summary>The log start DeleteRecords set, as in <see cref="LogStartCheckpoint"/>; below the first segment's base offset it has no effect.</summary>
    private long _logStart;

    /// <summary>Counts changes to the closed segments (retention, truncation, a swap): a cleaning planned before one is thrown away.</summary>
    private long _segmentsVersion;

    /// <summary>The fsync itself of <see cref="_backgroundFlush"/>, which completes on the fsync thread: what <see cref="Dispose"/> waits for.</summary>
    private Task? _fsync;

    private SegmentLog(string directory, TopicConfig config, DiskIo io, TimeProvider time, ILogger logger, List<LogSegment> segments,
        TimeSpan producerIdExpiration, CleanerCheckpoint.Offsets checkpoint)
    {
        _directory = directory;
        _io = io;
        _config = config;
        _time = time;
        _logger = logger;
        _segments = segments;
        _flush = new FlushPolicy(time, config);
        _epochs = LeaderEpochCache.Load(directory, LogEndOffset, io);
        _producers = new ProducerStateTable(producerIdExpiration);
        // A log recovered shorter than its checkpointed start (unflushed records lost) starts at its end.
        _logStart = Math.Min(LogStartCheckpoint.Read(directory), LogEndOffset);
        _checkpoint = checkpoint with { CleanedUpTo = Math.Clamp(checkpoint.CleanedUpTo, LogStartOffset, LogEndOffset) };
        RestoreProducerState();
    }

    /// <summary>
    /// The first offset a reader may have: the first segment's, or past it where DeleteRecords moved it (see
    /// <see cref="DeleteRecordsBefore"/>); records below it may still lie in the first segment, unread.
    /// </summary>
    public long LogStartOffset => Math.Max(FirstSegmentOffset, _logStart);

    /// <summary>Where the stored records begin: what producer state, snapshots and indexes are kept from.</summary>
    private long FirstSegmentOffset => _segments[0].BaseOffset;

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Active.NextOffset;

    public long SizeBytes
    {
        get
        {
            long size = 0;
            foreach (var segment in _segments) size += segment.Size;
            return size;
        }
    }

    public int SegmentCount => _segments.Count;

    public string Directory => _directory;

    /// <summary>The cleaner's point: records before it were compacted, those from it on are as written (for a compacted topic).</summary>
    public long CleanedUpTo => Math.Max(_checkpoint.CleanedUpTo, LogStartOffset);

    /// <summary>Leader epoch of the newest batch; -1 for an empty log that never had one.</summary>
    public int LatestEpoch => _epochs.LatestEpoch;

    public int ProducerCount => _producers.ProducerCount;

    /// <summary>How many times unflushed appends were fsynced; for observing the flush policy.</summary>
    public long FlushCount => _flush.FlushCount;

    private LogSegment Active => _segments[^1];

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Opens the log in <paramref name="directory"/> (created if missing), recovering it as the class comment describes.
    /// Idempotent producers idle for <paramref name="producerIdExpiration"/> (default
    /// <see cref="ProducerStateTable.DefaultExpiration"/>) are forgotten.
    /// </summary>
    /// <param name="io">How its files are changed: the silo's log directory's, or plain file I/O (the default).</param>
    public static SegmentLog Open(string directory, TopicConfig config, TimeProvider? time = null, ILogger? logger = null,
        TimeSpan? producerIdExpiration = null, DiskIo? io = null)
    {
        time ??= TimeProvider.System;
        logger ??= NullLogger.Instance;
        io ??= DiskIo.Plain;
        System.IO.Directory.CreateDirectory(directory);
        SegmentSwap.RecoverInterrupted(directory, io, logger);
        var checkpoint = CleanerCheckpoint.Read(directory);
        var baseOffsets = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + SegmentFileName.LogExtension))
        {
            if (SegmentFileName.TryParseLog(path, out var baseOffset)) baseOffsets.Add(baseOffset);
        }
        baseOffsets.Sort();

        var segments = new List<LogSegment>();
        for (var i = 0; i < baseOffsets.Count; i++)
        {
            long? nextBaseOffset = i + 1 < baseOffsets.Count ? baseOffsets[i + 1] : null;
            var segment = LogSegment.Open(directory, baseOffsets[i], nextBaseOffset, checkpoint.GapsBelow, io, logger, out var damaged);
            segments.Add(segment);
            if (nextBaseOffset is { } next && (damaged || segment.NextOffset != next))
            {
                DiscardSegments(directory, baseOffsets.Skip(i + 1), segment, io, logger);
                break;
            }
        }
        if (segments.Count == 0) segments.Add(CreateSegment(directory, 0, time.GetUtcNow().ToUnixTimeMilliseconds(), io));
        return new SegmentLog(directory, config, io, time, logger, segments, producerIdExpiration ?? ProducerStateTable.DefaultExpiration, checkpoint);
    }

    /// <summary>Removes a log's directory and everything in it; the log must be disposed first.</summary>
    public static void Delete(string directory, DiskIo? io = null) => (io ?? DiskIo.Plain).DeleteDirectory(directory);

    /// <summary>
    /// Validates (see <see cref="RecordBatchValidator"/>) and appends one or more concatenated v2 batches, all or
    /// nothing. Assigns consecutive offsets by patching each batch's base offset, and its leader epoch, in
    /// <paramref name="batches"/> itself (or in their recompressed copy, when the topic's compression.type names
    /// another codec: see <see cref="BatchRecompressor"/>), then writes them in one write. An idempotent producer's retry of a batch
    /// already stored is not written again: the result carries the first append's offsets and LogAppendTimeMs -1.
    /// A LogAppendTime topic has each batch stamped with the append time (<see cref="ValidatedBatches.StampLogAppendTime"/>),
    /// which the result carries; a CreateTime topic refuses records outside its timestamp bounds (<see cref="TimestampBounds"/>).
    /// The batch headers are read once, by the validator; everything after works from what it found.
    /// <paramref name="compressedRecordsChecked"/>: the records of compressed batches were validated already (see
    /// <see cref="AppendPreparation"/>) and are not decompressed again.
    /// </summary>
    public AppendResult Append(Memory<byte> batches, int leaderEpoch = 0, bool compressedRecordsChecked = false)
    {
        RecordBatchValidator.Validate(batches, _config.MaxMessageBytes, _appending, compressedRecordsChecked, CleanupPolicies.IsCompacted(_config),
            TimestampBounds.For(_config, NowMs));
        if (_producers.Check(_appending) is { } duplicate)
            return new AppendResult(duplicate.BaseOffset, duplicate.LastOffset, -1, LogStartOffset);
        using var recompressed = TopicCompression.StoredCodec(_config) is { } codec && BatchRecompressor.IsNeeded(_appending, codec)
            ? BatchRecompressor.Recompress(batches, _appending, codec, _config.MaxMessageBytes)
            : null;
        return AppendValidated(recompressed?.WrittenMemory ?? batches, leaderEpoch);
    }

    /// <summary>Stores the batches in <see cref="_appending"/> (their bytes in <paramref name="stored"/>) at the log end.</summary>
    private AppendResult AppendValidated(Memory<byte> stored, int leaderEpoch)
    {
        var nowMs = NowMs;
        if (ShouldRoll(stored.Length, _appending.RecordCount, nowMs)) Roll(nowMs);

        var baseOffset = LogEndOffset;
        _appending.AssignOffsets(stored.Span, baseOffset, leaderEpoch);
        _appending.WriteMaxTimestamps(stored.Span);
        var logAppendTime = _config.MessageTimestampType == TopicConfig.LogAppendTime;
        if (logAppendTime) _appending.StampLogAppendTime(stored.Span, nowMs);
        _epochs.Assign(leaderEpoch, baseOffset);
        Write(stored.Span, nowMs);
        RecordStored(stored, nowMs);
        return new AppendResult(baseOffset, _appending.LastOffset, logAppendTime ? nowMs : -1, LogStartOffset);
    }

    /// <summary>
    /// Writes the marker that ends producer <paramref name="producerId"/>'s transaction with <paramref name="result"/>
    /// (the coordinator's step of a commit or abort). A marker from an epoch older than the producer's is refused
    /// (INVALID_PRODUCER_EPOCH). A marker for a producer with no transaction open here is written all the same, as Kafka
    /// does: the coordinator may be repeating one whose answer was lost.
    /// </summary>
    public AppendResult AppendMarker(long producerId, short producerEpoch, TransactionResult result, int coordinatorEpoch, int leaderEpoch)
    {
        _producers.CheckMarker(producerId, producerEpoch);
        var marker = TransactionMarker.Build(producerId, producerEpoch, result, coordinatorEpoch, NowMs);
        RecordBatchHeader.WriteBaseOffset(marker, LogEndOffset);
        RecordBatchValidator.ValidateReplicated(marker, LogEndOffset, _appending);
        return AppendValidated(marker, leaderEpoch);
    }

    /// <summary>
    /// Where read_committed consumers stop, given the <paramref name="highWatermark"/>: the first offset of the oldest
    /// transaction still open, or ended by a marker the high watermark has not passed (its outcome could still be cut
    /// with the tail); the high watermark when there is none.
    /// </summary>
    public long LastStableOffset(long highWatermark)
    {
        var replicated = 0;
        while (replicated < _unreplicatedEnds.Count && _unreplicatedEnds[replicated].MarkerOffset < highWatermark) replicated++;
        if (replicated > 0) _unreplicatedEnds.RemoveRange(0, replicated);
        var stable = highWatermark;
        if (_producers.FirstUnstableOffset is { } open) stable = Math.Min(stable, open);
        foreach (var (first, _) in _unreplicatedEnds) stable = Math.Min(stable, first);
        return stable;
    }

    /// <summary>The aborted transactions with records in [<paramref name="from"/>, <paramref name="to"/>), for a read_committed fetch.</summary>
    public AbortedTransaction[] AbortedTransactions(long from, long to) => _aborted.Overlapping(from, to);

    /// <summary>
    /// Records the producers and transaction markers of the batches just stored (<see cref="_appending"/>, bytes in
    /// <paramref name="stored"/>), in offset order: a follower copies a producer's abort marker and its next
    /// transaction's records in one append, and the marker must end the transaction open before it, not the one after.
    /// </summary>
    private void RecordStored(ReadOnlyMemory<byte> stored, long nowMs)
    {
        foreach (ref readonly var batch in _appending.Batches)
        {
            if (batch.Header.IsControl) RecordMarker(batch.Header, stored.Slice(batch.Position, batch.Header.TotalSize), nowMs);
            else _producers.Record(batch.Header, nowMs);
        }
    }

    /// <summary>A stored control batch: a transaction marker ends its producer's transaction here, and indexes it when aborted.</summary>
    private void RecordMarker(in RecordBatchHeader header, ReadOnlyMemory<byte> batch, long appendMs)
    {
        if (header.ProducerId < 0 || !TransactionMarker.TryRead(batch, out var result)) return;
        var first = _producers.CompleteTransaction(header, appendMs);
        if (first < 0) return;
        _unreplicatedEnds.Add((first, header.BaseOffset));
        if (result == TransactionResult.Abort) _aborted.Add(new AbortedTransaction(header.ProducerId, first, header.BaseOffset));
    }

    /// <summary>
    /// True when an append of <paramref name="batches"/> was refused with OUT_OF_ORDER_SEQUENCE_NUMBER only because
    /// their producer's earlier batches are not stored yet: worth waiting for (see <see cref="Hub.Silo.Partitions.ReorderedAppends"/>).
    /// The first batch decides, as a produce request carries one batch per partition.
    /// </summary>
    public bool AwaitsEarlierBatches(ReadOnlySpan<byte> batches) =>
        RecordBatchHeader.TryRead(batches, out var header) && _producers.IsAheadOfStored(header);

    /// <summary>
    /// True when the producer of <paramref name="batches"/> stored nothing here since <paramref name="leaderEpoch"/>
    /// began: the batches it skips were sent to an earlier leader (see <see cref="Hub.Silo.Partitions.ReorderedAppends.Refusal"/>).
    /// </summary>
    public bool FollowsBatchesOfAnEarlierLeader(ReadOnlySpan<byte> batches, int leaderEpoch) =>
        RecordBatchHeader.TryRead(batches, out var header) && _producers.LastOffsetOf(header.ProducerId) < _epochs.StartOf(leaderEpoch, LogEndOffset);

    /// <summary>
    /// How long ago the producer of <paramref name="batches"/> last stored a batch here (written as leader or copied as
    /// follower), by this replica's clock; null for a producer it does not know (see <see cref="Hub.Silo.Partitions.ReorderedAppends.Refusal"/>).
    /// </summary>
    public TimeSpan? SinceProducerAppended(ReadOnlySpan<byte> batches) =>
        RecordBatchHeader.TryRead(batches, out var header) && _producers.LastAppendMsOf(header.ProducerId) is { } lastAppendMs
            ? TimeSpan.FromMilliseconds(Math.Max(0, NowMs - lastAppendMs))
            : null;

    /// <summary>
    /// Appends batches copied from the leader, as they are: their offsets must follow this log's end (past a gap only
    /// where the leader's cleaner removed batches, which is recorded durably first, so a recovery scan accepts it) and
    /// their CRCs must hold (the leader validated their records). Records their epochs and producers.
    /// </summary>
    public void AppendReplicated(ReadOnlyMemory<byte> batches)
    {
        var afterGap = RecordBatchValidator.ValidateReplicated(batches.Span, LogEndOffset, _appending);
        if (afterGap >= _checkpoint.GapsBelow) SaveCheckpoint(_checkpoint with { GapsBelow = afterGap + 1 });
        var nowMs = NowMs;
        if (ShouldRoll(batches.Length, _appending.RecordCount, nowMs)) Roll(nowMs);
        Write(batches.Span, nowMs);
        foreach (ref readonly var batch in _appending.Batches) _epochs.Assign(batch.Header.PartitionLeaderEpoch, batch.Header.BaseOffset);
        RecordStored(batches, nowMs);
    }

    /// <summary>
    /// For a follower whose newest batch has leader epoch <paramref name="epoch"/>: the largest epoch in this log
    /// not above it and the offset where it ends here; see <see cref="LeaderEpochCache.EndOffsetFor"/>.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => _epochs.EndOffsetFor(epoch, LogEndOffset);

    /// <summary>
    /// Cuts the log so it ends before <paramref name="offset"/> (at the start of the batch holding it): a
    /// follower drops a tail the leader doesn't have. Nothing happens when the log already ends there.
    /// </summary>
    public void TruncateTo(long offset)
    {
        if (offset >= LogEndOffset) return;
        if (offset <= LogStartOffset)
        {
            ResetTo(LogStartOffset);
            return;
        }
        LogTruncating(_logger, _directory, LogEndOffset, offset);
        while (_segments.Count > 1 && Active.BaseOffset >= offset)
        {
            Active.Delete();
            _segments.RemoveAt(_segments.Count - 1);
        }
        Active.TruncateTo(offset, _checkpoint.GapsBelow);
        _io.FsyncDirectory(_directory);
        _flush.Discarded();
        _epochs.TruncateFromEnd(LogEndOffset);
        _aborted.TruncateFrom(LogEndOffset);
        _checkpoint = _checkpoint with { CleanedUpTo = Math.Min(_checkpoint.CleanedUpTo, LogEndOffset) };
        _segmentsVersion++;
        RestoreProducerState();
    }

    /// <summary>Deletes every segment and starts empty at <paramref name="offset"/>: a follower behind the leader's log start.</summary>
    public void ResetTo(long offset)
    {
        LogResetting(_logger, _directory, offset);
        foreach (var segment in _segments) segment.Delete();
        _segments.Clear();
        _segments.Add(CreateSegment(_directory, offset, NowMs, _io));
        _flush.Discarded();
        _epochs.Clear();
        foreach (var snapshot in ProducerStateSnapshot.OffsetsIn(_directory, _io)) ProducerStateSnapshot.Delete(_directory, snapshot, _io);
        _producers.Clear();
        _aborted.RemoveBefore(offset);
        _unreplicatedEnds.Clear();
        // The log now starts at offset: a checkpointed start above it would otherwise hide records appended from there after a restart.
        if (_logStart > offset) SaveLogStart(offset);
        _checkpoint = _checkpoint with { CleanedUpTo = offset };
        _segmentsVersion++;
    }

    /// <summary>
    /// Whole batches starting with the one that holds <paramref name="offset"/>, as stored: as many as fit in
    /// <paramref name="maxBytes"/> but the first one whole even if larger when <paramref name="wholeFirstBatch"/> (so a
    /// consumer makes progress past a large batch), none whose base offset is at or past <paramref name="maxOffset"/>
    /// (the high watermark). Continues into later segments while space remains. Empty at the log end. Reads from
    /// disk only what it returns. The buffer is rented: the caller owns it.
    /// </summary>
    public PooledBatches Read(long offset, int maxBytes, long maxOffset = long.MaxValue, bool wholeFirstBatch = true)
    {
        if (offset < LogStartOffset || offset > LogEndOffset)
            throw new HubException(ErrorCode.OffsetOutOfRange,
                $"offset {offset} is out of range: the log holds offsets [{LogStartOffset}, {LogEndOffset})");
        if (offset == LogEndOffset) return PooledBatches.Empty;

        var extents = new List<(LogSegment Segment, long Position, int Length)>();
        long total = 0;
        var first = SegmentIndexOf(offset);
        for (var i = first; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            using var cursor = i == first ? segment.CursorNear(offset) : segment.CursorFromStart();
            long start = -1;
            var full = false;
            while (cursor.MoveNext())
            {
                var header = cursor.Header;
                if (header.LastOffset < offset) continue;
                full = header.BaseOffset >= maxOffset || ((total > 0 || !wholeFirstBatch) && total + header.TotalSize > maxBytes);
                if (full) break;
                if (start < 0) start = cursor.Position;
                total += header.TotalSize;
            }
            if (cursor.Damage is not null)
            {
                if (total == 0)
                    throw new HubException(ErrorCode.KafkaStorageError, $"segment {segment.Name} is damaged at byte {cursor.Position}: {cursor.Damage}");
                full = true;
            }
            if (start >= 0) extents.Add((segment, start, (int)(cursor.Position - start)));
            if (full) break;
        }

        var batches = PooledBatches.Rent((int)total);
        var filled = 0;
        foreach (var (segment, position, length) in extents)
        {
            segment.ReadExactly(position, batches.Writable.Span.Slice(filled, length));
            filled += length;
        }
        return batches;
    }

    /// <summary>
    /// <see cref="OffsetSpec.Earliest"/> → the log start offset; <see cref="OffsetSpec.Latest"/> → the log end
    /// offset; <see cref="OffsetSpec.MaxTimestamp"/> → the first record with the largest timestamp; otherwise the
    /// first offset whose record timestamp is at or after <paramref name="timestamp"/> (offset -1 when there is none).
    /// </summary>
    public OffsetAndTimestamp OffsetForTimestamp(long timestamp)
    {
        switch (timestamp)
        {
            case OffsetSpec.Earliest: return new OffsetAndTimestamp(LogStartOffset, -1);
            case OffsetSpec.Latest: return new OffsetAndTimestamp(LogEndOffset, -1);
            case OffsetSpec.MaxTimestamp: return OffsetOfMaxTimestamp();
            case < 0: throw new HubException(ErrorCode.InvalidRequest, $"timestamp {timestamp} is neither a time nor a supported offset spec");
        }
        foreach (var segment in _segments)
        {
            if (segment.FindByTimestamp(timestamp) is { } found) return found;
        }
        return new OffsetAndTimestamp(-1, -1);
    }

    /// <summary>The first record with the log's largest timestamp, found in the first segment holding that timestamp.</summary>
    private OffsetAndTimestamp OffsetOfMaxTimestamp()
    {
        LogSegment? newest = null;
        foreach (var segment in _segments)
        {
            if (segment.MaxTimestamp > (newest?.MaxTimestamp ?? -1)) newest = segment;
        }
        return newest?.FindMaxTimestamp() ?? new OffsetAndTimestamp(-1, -1);
    }

    /// <summary>Writes the validated batches in <see cref="_appending"/> (their bytes in <paramref name="batches"/>) and fsyncs if the flush policy says so.</summary>
    private void Write(ReadOnlySpan<byte> batches, long nowMs)
    {
        Active.Append(batches, _appending.Batches, nowMs);
        if (_flush.Appended(_appending.RecordCount)) Flush();
    }

    /// <summary>
    /// Restores the producer table from the newest snapshot between the log start and end and the batches after it.
    /// Snapshots past the end (taken before a tail was cut) or before the start are deleted unused; a damaged one
    /// is reported, deleted, and the next older one tried; with none left every segment is replayed, and the result
    /// is snapshotted at once so the next open (after a crash, or the first after an upgrade) need not replay it all again.
    /// </summary>
    private void RestoreProducerState()
    {
        _producers.Clear();
        _unreplicatedEnds.Clear();
        var offsets = ProducerStateSnapshot.OffsetsIn(_directory, _io);
        for (var i = offsets.Count - 1; i >= 0; i--)
        {
            var offset = offsets[i];
            if (offset > LogEndOffset || offset < FirstSegmentOffset)
            {
                ProducerStateSnapshot.Delete(_directory, offset, _io);
                continue;
            }
            if (ProducerStateSnapshot.TryRead(_directory, offset, out var problem) is not { } producers)
            {
                LogSnapshotDamaged(_logger, ProducerStateSnapshot.PathOf(_directory, offset), problem);
                ProducerStateSnapshot.Delete(_directory, offset, _io);
                continue;
            }
            _producers.Load(producers, NowMs);
            OpenAbortedIndex(offset);
            ReplayProducers(offset);
            return;
        }
        OpenAbortedIndex(FirstSegmentOffset);
        ReplayProducers(FirstSegmentOffset);
        if (LogEndOffset > FirstSegmentOffset) SnapshotProducers();
    }

    /// <summary>
    /// Records the producer batches from <paramref name="offset"/> on. Their append time is taken as their segment's
    /// last write, the latest it can have been, so a restart never makes a producer look idle for longer than it was.
    /// </summary>
    private void ReplayProducers(long offset)
    {
        var first = SegmentIndexOf(offset);
        for (var i = first; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            using var cursor = i == first ? segment.CursorNear(offset) : segment.CursorFromStart();
            while (cursor.MoveNext())
            {
                if (cursor.Header.BaseOffset < offset) continue;
                _producers.Record(cursor.Header, segment.LastModifiedMs);
                if (cursor.Header.IsControl) RecordMarker(cursor.Header, cursor.ReadBatch(), segment.LastModifiedMs);
            }
        }
    }

    /// <summary>(Re)opens the aborted-transaction index keeping what lies before <paramref name="replayFrom"/>; the replay from there adds the rest.</summary>
    private void OpenAbortedIndex(long replayFrom)
    {
        _aborted?.Dispose();
        _aborted = AbortedTransactionIndex.Open(_directory, FirstSegmentOffset, replayFrom, _io);
    }

    /// <summary>Writes the producer table, without expired producers, as the snapshot at the log end.</summary>
    private void SnapshotProducers()
    {
        // Every aborted transaction below the snapshot must be on disk: the next open replays only what follows it.
        _aborted.Flush();
        _producers.RemoveExpired(NowMs);
        ProducerStateSnapshot.Write(_directory, LogEndOffset, _producers.Producers(), _io);
    }

    /// <summary>Forgets producers idle for the expiration time; the partition grain calls it on a timer. Returns how many.</summary>
    public int RemoveExpiredProducers() => _producers.RemoveExpired(NowMs);

    /// <summary>The producers this log remembers (those not expired), for DescribeProducers.</summary>
    public ActiveProducer[] ActiveProducers() => _producers.ActiveProducers();

    /// <summary>fsyncs appends not yet on disk.</summary>
    public void Flush()
    {
        if (_flush.UnflushedRecords == 0) return;
        var mark = _flush.Mark();
        Active.Flush();
        _flush.Flushed(mark);
    }

    /// <summary>
    /// Flushes when the topic's flush policy says so: flush.messages records unflushed, or the oldest unflushed
    /// append flush.ms old. Returns whether it flushed.
    /// </summary>
    public bool FlushIfDue()
    {
        if (!_flush.IsDue) return false;
        Flush();
        return true;
    }

    /// <summary>
    /// Like <see cref="FlushIfDue"/>, but the fsync runs on <see cref="FsyncThread"/> while appends go on, and at
    /// most one at a time; the partition grain's flush timer calls it. The appends it covers count as flushed only
    /// once it succeeded (its completion runs in the caller's context, as every await in a grain does); appends
    /// made meanwhile stay unflushed for the next flush. A failed fsync fails the task and flushes nothing.
    /// Returns the fsync under way, or null when none was due.
    /// </summary>
    public Task? FlushInBackgroundIfDue()
    {
        if (_backgroundFlush is { IsCompleted: false } || !_flush.IsDue) return null;
        var mark = _flush.Mark();
        // The fsync only touches the file handle, which the segment keeps open until it is disposed (SafeHandle
        // reference counting defers the close until an fsync under way returns).
        _fsync = FsyncThread.Run(Active.Flush);
        return _backgroundFlush = CountWhenFlushed(_fsync, mark);
    }

    /// <summary>
    /// The fsync an append must wait for before it is acknowledged, or (nearly always) null: one under way or started
    /// now when the oldest unflushed append is overdue (<see cref="FlushPolicy.IsOverdue"/>), because background fsyncs
    /// are queued behind other partitions'. Bounds how long an acknowledged record is only in the page cache.
    /// </summary>
    public Task? OverdueFlush() => _flush.IsOverdue ? FlushInBackgroundIfDue() ?? _backgroundFlush : null;

    private async Task CountWhenFlushed(Task fsync, FlushMark mark)
    {
        await fsync;
        _flush.Flushed(mark);
    }

    /// <summary>
    /// Deletes whole segments from the oldest on: while the newest record in the oldest is older than
    /// retention.ms (the active segment too: it is rolled first, as Kafka does), then while the log would still
    /// hold at least retention.bytes without the oldest. Moves the log start to the first remaining segment, and
    /// fsyncs the directory once. Only for cleanup.policy "delete" (alone or with "compact"): a "compact" log keeps
    /// every key's newest record however old.
    /// Returns how many segments were deleted.
    /// </summary>
    public int EnforceRetention()
    {
        if (!CleanupPolicies.IsDeletedByRetention(_config)) return 0;
        var nowMs = NowMs;
        var deleted = 0;
        if (_config.RetentionMs >= 0)
        {
            while (!_segments[0].IsEmpty && nowMs - _segments[0].NewestTimestampMs > _config.RetentionMs)
            {
                if (_segments.Count == 1) Roll(nowMs);
                DeleteOldestSegment();
                deleted++;
            }
        }
        if (_config.RetentionBytes >= 0)
        {
            while (_segments.Count > 1 && SizeBytes - _segments[0].Size >= _config.RetentionBytes)
            {
                DeleteOldestSegment();
                deleted++;
            }
        }
        if (deleted > 0)
        {
            _io.FsyncDirectory(_directory);
            _aborted.RemoveBefore(FirstSegmentOffset);
        }
        return deleted;
    }

    /// <summary>
    /// Kafka's DeleteRecords on this replica: moves the log start up to <paramref name="offset"/> (never down), which may
    /// lie inside a segment; reads below it then get OFFSET_OUT_OF_RANGE and ListOffsets' earliest is it. The new start is
    /// checkpointed (fsynced) first, then every whole segment below it is deleted, as retention deletes them; the active
    /// segment stays. OFFSET_OUT_OF_RANGE past the log end. Returns the log start.
    /// </summary>
    public long DeleteRecordsBefore(long offset)
    {
        if (offset > LogEndOffset)
            throw new HubException(ErrorCode.OffsetOutOfRange, $"offset {offset} is past the log end {LogEndOffset}");
        if (offset <= LogStartOffset) return LogStartOffset;
        SaveLogStart(offset);
        var deleted = false;
        while (_segments.Count > 1 && _segments[1].BaseOffset <= offset)
        {
            DeleteOldestSegment();
            deleted = true;
        }
        if (deleted)
        {
            _io.FsyncDirectory(_directory);
            _aborted.RemoveBefore(FirstSegmentOffset);
        }
        return LogStartOffset;
    }

    private void SaveLogStart(long offset)
    {
        LogStartCheckpoint.Write(_directory, offset, _io);
        _logStart = offset;
    }

    /// <summary>Where cleaning stands for <see cref="CompactionPolicy"/>, never at or past <paramref name="stableOffset"/>.</summary>
    public CleanableRange CleanableRange(long stableOffset, CompactionPolicy policy)
    {
        var closed = new SegmentSummary[_segments.Count - 1];
        for (var i = 0; i < closed.Length; i++)
        {
            var segment = _segments[i];
            closed[i] = new SegmentSummary(segment.BaseOffset, _segments[i + 1].BaseOffset, segment.Size, segment.NewestTimestampMs, segment.FirstBatchTimestamp);
        }
        return policy.Range(closed, CleanedUpTo, Math.Min(stableOffset, LogEndOffset), Active.BaseOffset, _config);
    }

    /// <summary>
    /// Plans a cleaning (see <see cref="CompactionJob"/>) of the closed segments from the log start up to the first
    /// uncleanable offset, with read handles of the job's own; null when there is nothing to clean.
    /// </summary>
    public CompactionJob? StartCompaction(long stableOffset, CompactionPolicy policy)
    {
        var range = CleanableRange(stableOffset, policy);
        if (range.DirtyBytes == 0) return null;
        var segments = new List<CompactionJob.Segment>();
        try
        {
            for (var i = 0; i < _segments.Count - 1 && _segments[i].BaseOffset < range.FirstUncleanableOffset; i++)
            {
                var segment = _segments[i];
                var reader = File.OpenHandle(segment.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                segments.Add(new CompactionJob.Segment(segment, reader, segment.BaseOffset, _segments[i + 1].BaseOffset, segment.Size,
                    File.GetLastWriteTimeUtc(segment.LogPath)));
            }
        }
        catch
        {
            foreach (var opened in segments) opened.Reader.Dispose();
            throw;
        }
        return new CompactionJob
        {
            Directory = _directory,
            Segments = segments,
            FirstDirtyOffset = range.FirstDirtyOffset,
            FirstUncleanableOffset = range.FirstUncleanableOffset,
            NowMs = NowMs,
            DeleteRetentionMs = _config.DeleteRetentionMs,
            MaxSegmentBytes = _config.SegmentBytes,
            ProducerLastOffsets = _producers.LastOffsets(),
            AbortedTransactions = _aborted.Overlapping(FirstSegmentOffset, range.FirstUncleanableOffset),
            LogVersion = _segmentsVersion,
        };
    }

    /// <summary>
    /// Swaps the cleaned segments of <paramref name="result"/> in (<see cref="SegmentSwap"/>), opens them (their indexes
    /// rebuilt by a scan), and records the cleaner's point durably. False, with nothing changed, when the closed segments
    /// changed since <paramref name="job"/> was planned; the caller then discards the result.
    /// <paramref name="afterStep"/> (tests only) runs after each step of each swap.
    /// </summary>
    public bool CompleteCompaction(CompactionJob job, CompactionResult result, Action<SwapStep>? afterStep = null)
    {
        if (job.LogVersion != _segmentsVersion) return false;
        // First: a crash in a swap may leave a cleaned segment to be scanned on open, and its gaps must pass then.
        if (result.CleanedUpTo > _checkpoint.GapsBelow) SaveCheckpoint(_checkpoint with { GapsBelow = result.CleanedUpTo });
        // Before the swap: a removed abort marker's transaction has no batch left, so its entry filters nothing, while an
        // entry outliving its marker would make a read_committed client drop its producer's later batches.
        _aborted.RemoveMarkers(result.RemovedMarkers);
        foreach (var cleaned in result.Cleaned)
        {
            var first = _segments.IndexOf(cleaned.Replaces[0].Source);
            SegmentSwap.Swap(_directory, cleaned, _io, afterStep);
            var segment = LogSegment.Open(_directory, cleaned.BaseOffset, cleaned.EndOffset, _checkpoint.GapsBelow, _io, _logger, out var damaged);
            if (damaged) LogCleanedSegmentDamaged(_logger, segment.Name, _directory);
            _segments.RemoveRange(first, cleaned.Replaces.Count);
            _segments.Insert(first, segment);
        }
        _segmentsVersion++;
        SaveCheckpoint(_checkpoint with { CleanedUpTo = result.CleanedUpTo });
        // A snapshot below the cleaned point could hold a transaction open whose marker is gone; one at or past it (the
        // roll of the active segment wrote one) ends every open transaction at a marker the cleaner never touched.
        if (result.RemovedMarkers.Count > 0) DeleteSnapshotsBefore(result.CleanedUpTo);
        return true;
    }

    private void SaveCheckpoint(CleanerCheckpoint.Offsets checkpoint)
    {
        CleanerCheckpoint.Write(_directory, checkpoint, _io);
        _checkpoint = checkpoint;
    }

    /// <summary>Applies changed topic settings; they take effect from the next append, read or retention pass.</summary>
    public void UpdateConfig(TopicConfig config)
    {
        _config = config;
        _flush.UpdateConfig(config);
    }

    /// <summary>Flushes, writes the active segment's indexes and a producer snapshot, and closes the files.</summary>
    public void Dispose()
    {
        try
        {
            // Not the counting task: its continuation needs the caller's context, which this wait holds.
            _fsync?.Wait();
        }
        catch (AggregateException e)
        {
            LogBackgroundFsyncFailed(_logger, e.InnerException, _directory);
        }
        try
        {
            Flush();
            Active.PersistIndexes();
            SnapshotProducers();
        }
        finally
        {
            Close();
        }
    }

    /// <summary>
    /// Closes the files without writing anything: the log's directory failed, so nothing more is written to it. A
    /// restart recovers the log as after a crash (the active segment is scanned, indexes that disagree are rebuilt).
    /// </summary>
    public void Close()
    {
        foreach (var segment in _segments) segment.Dispose();
        _aborted.Dispose();
    }

    /// <summary>
    /// The one place that decides rolling: before an append that would push the active segment past
    /// segment.bytes, once the active segment is segment.ms old (for a compacted topic, max.compaction.lag.ms if
    /// sooner, as the cleaner never touches the active segment), or when the append's offsets would not fit the
    /// indexes' int32 relative offsets. An empty segment never rolls (an append bigger than segment.bytes gets
    /// a segment of its own).
    /// </summary>
    private bool ShouldRoll(int appendBytes, long recordCount, long nowMs)
    {
        var active = Active;
        return !active.IsEmpty
            && (active.Size + appendBytes > _config.SegmentBytes
                || nowMs - active.CreatedMs >= CompactionPolicy.RollAfterMs(_config, CleanupPolicies.IsCompacted(_config))
                || LogEndOffset + recordCount - 1 - active.BaseOffset > int.MaxValue);
    }

    /// <summary>Closes the active segment (durably, with its indexes and a producer snapshot) and starts an empty one at the log end.</summary>
    private void Roll(long nowMs)
    {
        Flush();
        Active.PersistIndexes();
        SnapshotProducers();
        _segments.Add(CreateSegment(_directory, LogEndOffset, nowMs, _io));
    }

    /// <summary>Deletes the oldest segment and the producer snapshots that would need it to be replayed.</summary>
    private void DeleteOldestSegment()
    {
        _segments[0].Delete();
        _segments.RemoveAt(0);
        _segmentsVersion++;
        DeleteSnapshotsBefore(FirstSegmentOffset);
    }

    private void DeleteSnapshotsBefore(long offset)
    {
        foreach (var snapshot in ProducerStateSnapshot.OffsetsIn(_directory, _io))
        {
            if (snapshot < offset) ProducerStateSnapshot.Delete(_directory, snapshot, _io);
        }
    }

    /// <summary>Index in <see cref="_segments"/> of the segment holding <paramref name="offset"/>: the last one starting at or before it.</summary>
    private int SegmentIndexOf(long offset)
    {
        int low = 0, high = _segments.Count - 1, found = 0;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (_segments[middle].BaseOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found;
    }

    /// <summary>Creates a segment file and fsyncs the directory, so the new file's name survives a power loss.</summary>
    private static LogSegment CreateSegment(string directory, long baseOffset, long nowMs, DiskIo io)
    {
        var segment = LogSegment.Create(directory, baseOffset, nowMs, io);
        io.FsyncDirectory(directory);
        return segment;
    }

    /// <summary>
    /// Deletes segments that cannot follow <paramref name="last"/>: after damage was cut from it, or when their
    /// offsets do not continue where it ends. Serving them would leave a hole or an overlap in the offsets.
    /// </summary>
    private static void DiscardSegments(string directory, IEnumerable<long> baseOffsets, LogSegment last, DiskIo io, ILogger logger)
    {
        foreach (var baseOffset in baseOffsets)
        {
            LogDiscardingSegment(logger, SegmentFileName.For(baseOffset, SegmentFileName.LogExtension), directory, last.NextOffset);
            foreach (var extension in new[] { SegmentFileName.IndexExtension, SegmentFileName.TimeIndexExtension, SegmentFileName.LogExtension })
                io.Delete(Path.Combine(directory, SegmentFileName.For(baseOffset, extension)));
        }
        io.FsyncDirectory(directory);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Truncating the log in {Directory} from offset {End} to {Offset}: the leader's log differs there")]
    private static partial void LogTruncating(ILogger logger, string directory, long end, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resetting the log in {Directory} to start empty at offset {Offset}")]
    private static partial void LogResetting(ILogger logger, string directory, long offset);

    [LoggerMessage(Level = LogLevel.Error, Message = "A background fsync of {Directory} failed")]
    private static partial void LogBackgroundFsyncFailed(ILogger logger, Exception? exception, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring producer-state snapshot {Snapshot}: {Problem}; restoring from an older one or the log")]
    private static partial void LogSnapshotDamaged(ILogger logger, string snapshot, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "The cleaned segment {Segment} in {Directory} was damaged after its swap; it was cut at the damage")]
    private static partial void LogCleanedSegmentDamaged(ILogger logger, string segment, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discarding segment {Segment} in {Directory}: the log before it ends at offset {NextOffset}")]
    private static partial void LogDiscardingSegment(ILogger logger, string segment, string directory, long nextOffset);
}
