using Hub.Silo.Configuration;
using Hub.Silo.Log;
using Hub.Silo.Topics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Cleaner;

/// <summary>
/// The silo's log cleaner (Kafka's LogCleaner): compacts the logs of compacted topics on this broker, each replica
/// its own. Every partition replica asks it every log.cleaner.backoff.ms (<see cref="CleanIfDueAsync"/>, in the
/// replica's turn); a log that <see cref="CompactionPolicy"/> finds due waits for one of the
/// <see cref="LogCleanerOptions.Threads"/> slots (<see cref="CleanerSlots"/>: the dirtiest waiting log goes first),
/// then its cleaning is planned in its turn, rewritten on a cleaner thread off the turn (<see cref="LogCompactor"/>,
/// throttled by <see cref="IoThrottle"/>, with a share of the dedupe buffer), and swapped in, back in its turn
/// (<see cref="SegmentLog.CompleteCompaction"/>). Reads of the log go on all along: they run in the replica's turn,
/// as the swap does, so none ever sees a segment half swapped, and the cleaner reads through handles of its own.
/// Stopping the silo cancels cleanings under way; their files are thrown away.
/// </summary>
internal sealed partial class LogCleaner : IHostedService
{
    private readonly LogCleanerOptions _options;
    private readonly Action<SwapStep>? _crashHook;
    private readonly CleanerSlots _slots;
    private readonly IoThrottle _throttle;
    private readonly CompactionPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger<LogCleaner> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private long _bytesCleaned;

    public LogCleaner(IOptions<HubSiloOptions> options, TimeProvider time, ILogger<LogCleaner> logger)
    {
        _options = options.Value.LogCleaner;
        if (_options.Threads < 1) throw new ArgumentException($"Hub:LogCleaner:Threads must be at least 1, got {_options.Threads}");
        if (_options.IoMaxBytesPerSecond <= 0) throw new ArgumentException($"Hub:LogCleaner:IoMaxBytesPerSecond must be positive, got {_options.IoMaxBytesPerSecond}");
        if (_options.MinCleanableRatio is < 0 or > 1) throw new ArgumentException($"Hub:LogCleaner:MinCleanableRatio must be between 0 and 1, got {_options.MinCleanableRatio}");
        _slots = new CleanerSlots(_options.Threads);
        _throttle = new IoThrottle(_options.IoMaxBytesPerSecond, time);
        _policy = new CompactionPolicy(time);
        _time = time;
        _logger = logger;
        if (options.Value.FaultInjection is { Enabled: true, CleanerCrashStep: { } crashStep })
            _crashHook = CrashOnce(crashStep, Path.Combine(options.Value.FaultInjectionDirectory, FaultInjectionOptions.CleanerCrashedMarker));
    }

    /// <summary>How often a replica asks.</summary>
    public TimeSpan Backoff => _options.Backoff;

    /// <summary>Keys one cleaning may map: its thread's share of the dedupe buffer.</summary>
    public int MapCapacity => (int)Math.Min(int.MaxValue, _options.DedupeBufferSize / _options.Threads / OffsetMap.BytesPerEntry);

    /// <summary>Log bytes this silo's cleaner rewrote since it started (all logs).</summary>
    public long BytesCleaned => Interlocked.Read(ref _bytesCleaned);

    public CompactionPolicy Policy => _policy;

    /// <summary>
    /// Cleans <paramref name="replica"/>'s log if it is compacted and due; called in the replica's turn, and every
    /// await resumes there. Failures are logged, not thrown: the next round tries again (an I/O error took the log
    /// directory offline already, through the log's disk I/O).
    /// </summary>
    public async Task CleanIfDueAsync(ICleanableReplica replica, CancellationToken cancel)
    {
        if (replica.Log is not { } log || !CleanupPolicies.IsCompacted(replica.Config)) return;
        var minRatio = replica.Config.MinCleanableDirtyRatio ?? _options.MinCleanableRatio;
        var range = log.CleanableRange(replica.StableOffset, _policy);
        if (!CompactionPolicy.IsDue(range, minRatio)) return;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stopping.Token);
        try
        {
            using var slot = await _slots.WaitAsync(range.DirtyRatio, both.Token);
            // Back in the replica's turn after a wait: the log may be closed, or cleaned by now.
            if (replica.Log != log || log.StartCompaction(replica.StableOffset, _policy) is not { } job) return;
            using (job)
            {
                var startedAt = _time.GetTimestamp();
                var result = await Task.Factory.StartNew(() => LogCompactor.Rewrite(job, MapCapacity, _throttle, both.Token),
                    both.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                if (replica.Log != log || !log.CompleteCompaction(job, result, _crashHook))
                {
                    result.Discard();
                    return;
                }
                var cleaned = result.Cleaned.Sum(c => c.Replaces.Sum(s => s.Size));
                Interlocked.Add(ref _bytesCleaned, cleaned);
                LogCleaned(log.Directory, cleaned, result.Cleaned.Sum(c => c.Size), range.DirtyRatio, result.CleanedUpTo,
                    _time.GetElapsedTime(startedAt).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) when (both.IsCancellationRequested)
        {
            // Deactivating or stopping: the cleaned files went with the compactor's failure, or go at the next open.
        }
        catch (Exception e)
        {
            LogFailed(e, log.Directory);
        }
    }

    /// <summary>The fault-injection hook: SIGKILLs this process at <paramref name="step"/>, once (the marker file remembers it across the restart).</summary>
    private static Action<SwapStep> CrashOnce(SwapStep step, string marker) => reached =>
    {
        if (reached != step || File.Exists(marker)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllText(marker, step.ToString());
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    };

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaned {Directory}: {Before} bytes to {After} (dirty ratio was {Ratio:F2}); clean up to offset {CleanedUpTo}, in {Ms:F0} ms")]
    private partial void LogCleaned(string directory, long before, long after, double ratio, long cleanedUpTo, double ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaning {Directory} failed; the log stays as it was and the next round tries again")]
    private partial void LogFailed(Exception e, string directory);
}
