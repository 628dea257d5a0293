using Hub.Topics;

namespace Hub.Silo.Log;

/// <summary>
/// When a log's appends reach the disk, by the topic's flush.messages and flush.ms, and what is still unflushed.
/// An append is fsynced before it returns only when flush.ms is 0 or flush.messages records are unflushed
/// (<see cref="Appended"/>); flush.ms is kept by a background fsync, due once the oldest unflushed append is that
/// old (<see cref="IsDue"/>), so an append never waits for a second's worth of writes to reach the disk.
/// <para>
/// A flush takes a <see cref="Mark"/> of the appends it covers before its fsync starts and reports them with
/// <see cref="Flushed"/>; appends made meanwhile stay unflushed. Not thread-safe: the log calls it inside its
/// synchronous calls.
/// </para>
/// <para>
/// Background fsyncs share one thread (<see cref="FsyncThread"/>), so with many busy partitions each waits its turn
/// and the unflushed window grows past flush.ms. <see cref="IsOverdue"/> bounds it: once the oldest unflushed append
/// is <see cref="MaxFlushLateness"/> past flush.ms, the log's appends wait for its fsync before they are
/// acknowledged, which slows producers to what the disk takes.
/// </para>
/// </summary>
internal sealed class FlushPolicy(TimeProvider time, TopicConfig config)
{
    /// <summary>
    /// How late past flush.ms a flush may be before appends wait for it. An fsync of 100 ms of appends takes 5-50 ms
    /// on these machines (README, "Flush policy"), so a second late means a backlog the disk is not keeping up
    /// with; long enough that a passing stall of the disk does not slow producers.
    /// </summary>
    public static readonly TimeSpan MaxFlushLateness = TimeSpan.FromSeconds(1);

    private TopicConfig _config = config;
    private long _appendedRecords;
    private long _flushedRecords;
    private long _oldestUnflushedMs;

    public long UnflushedRecords => _appendedRecords - _flushedRecords;

    /// <summary>How many flushes covered unflushed appends.</summary>
    public long FlushCount { get; private set; }

    /// <summary>Whether a background fsync should start now: flush.messages records unflushed, or the oldest unflushed append flush.ms old.</summary>
    public bool IsDue =>
        UnflushedRecords > 0 && (UnflushedRecords >= _config.FlushMessages || NowMs - _oldestUnflushedMs >= _config.FlushMs);

    /// <summary>
    /// Whether the oldest unflushed append is <see cref="MaxFlushLateness"/> past flush.ms: appends should wait for
    /// the fsync. Never with flush.ms 0 (every append fsyncs itself).
    /// </summary>
    public bool IsOverdue =>
        UnflushedRecords > 0 && NowMs - _oldestUnflushedMs - _config.FlushMs >= (long)MaxFlushLateness.TotalMilliseconds;

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Counts an append of <paramref name="records"/>; returns whether it must be fsynced before it returns.</summary>
    public bool Appended(long records)
    {
        if (UnflushedRecords == 0) _oldestUnflushedMs = NowMs;
        _appendedRecords += records;
        return _config.FlushMs == 0 || UnflushedRecords >= _config.FlushMessages;
    }

    /// <summary>The appends made so far, for a flush about to fsync them.</summary>
    public FlushMark Mark() => new(_appendedRecords, NowMs);

    /// <summary>
    /// The appends up to <paramref name="mark"/> are on disk. Those made after it stay unflushed, counted as made
    /// at the mark (they are no older). A mark older than what is already flushed changes nothing, so flushes may
    /// complete in any order.
    /// </summary>
    public void Flushed(FlushMark mark)
    {
        if (mark.AppendedRecords <= _flushedRecords) return;
        _flushedRecords = mark.AppendedRecords;
        _oldestUnflushedMs = mark.AtMs;
        FlushCount++;
    }

    /// <summary>The unflushed appends are gone (the log was cut or reset): nothing is left to fsync.</summary>
    public void Discarded() => _flushedRecords = _appendedRecords;

    public void UpdateConfig(TopicConfig config) => _config = config;
}
