using System.Runtime.InteropServices;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Hosting;
using Hub.Silo.Log;
using Hub.Silo.Placement;
using Hub.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Hub.Silo.Grains;

/// <summary>
/// One partition replica: owns its segment log on this broker's disk. Kept alive (reopening a log means a
/// recovery scan) and pinned to its broker by <see cref="BrokerPlacementAttribute"/>.
/// Reentrant so a long-polling fetch never holds back appends; that is safe because every log operation
/// is synchronous, so calls interleave only between whole operations. Fetches wait on <see cref="_appended"/>.
/// </summary>
[BrokerPlacement]
[Reentrant]
[KeepAlive]
public sealed class PartitionGrain(
    IOptions<HubSiloOptions> options,
    TimeProvider time,
    ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    private const string TopicIdFileName = "partition.metadata";

    private SegmentLog? _log;
    private readonly ProducerStateTable _producers = new();
    private HubException? _unavailable;
    private TaskCompletionSource _appended = NewSignal();
    private string _directory = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (topicName, partition, brokerId) = PartitionKey.Parse(this.GetPrimaryKeyString());
        _directory = Path.Combine(options.Value.LogsDirectory, $"{topicName}-{partition}");
        var topic = await GrainFactory.GetGrain<IClusterControllerGrain>(0).GetTopic(topicName);
        var assignment = topic is not null && partition < topic.PartitionCount ? topic.Partitions[partition] : null;
        if (topic is null || assignment is null || !assignment.Replicas.Contains(brokerId))
        {
            _unavailable = new HubException(ErrorCode.UnknownTopicOrPartition,
                topic is null ? $"topic '{topicName}' does not exist" : $"topic '{topicName}' has no partition {partition} on broker {brokerId}");
            return;
        }
        ClaimDirectory(topic.TopicId);
        _log = SegmentLog.Open(_directory, topic.Config, time, logger);
        StartTimers(topic.Config);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _log?.Dispose();
        _log = null;
        _appended.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<AppendResult> Append(ReadOnlyMemory<byte> batches)
    {
        var log = Log();
        // An idempotent producer's retry of a batch already stored gets the first append's offsets back.
        if (_producers.Check(batches.Span) is { } duplicate)
            return Task.FromResult(new AppendResult(duplicate.BaseOffset, duplicate.LastOffset, -1, log.LogStartOffset));
        // The log patches offsets in place: in a buffer deserialized for this call, or, for a call from this
        // silo, in the caller's buffer, which IPartitionGrain.Append's contract hands over until the call ends.
        var result = log.Append(MemoryMarshal.AsMemory(batches));
        _producers.Record(batches.Span, result.BaseOffset);
        var appended = _appended;
        _appended = NewSignal();
        appended.TrySetResult();
        return Task.FromResult(result);
    }

    public async Task<FetchResult> Fetch(FetchRequest request)
    {
        if (request.MaxBytes <= 0) throw new HubException(ErrorCode.InvalidFetchSize, $"max bytes must be positive, got {request.MaxBytes}");
        var deadline = time.GetTimestamp() + (long)(Math.Max(0, request.MaxWaitMs) * (time.TimestampFrequency / 1000.0));
        while (true)
        {
            var log = Log();
            var highWatermark = log.LogEndOffset;
            var records = log.Read(request.Offset, request.MaxBytes, highWatermark);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (records.Length >= Math.Max(1, request.MinBytes) || remaining <= TimeSpan.Zero)
                return new FetchResult(records, highWatermark, log.LogStartOffset);
            await WaitForAppend(remaining);
        }
    }

    public Task<OffsetAndTimestamp> ListOffset(long timestamp) => Task.FromResult(Log().OffsetForTimestamp(timestamp));

    public Task<PartitionState> GetState()
    {
        var log = Log();
        return Task.FromResult(new PartitionState(log.LogStartOffset, log.LogEndOffset, log.LogEndOffset, log.SizeBytes, log.SegmentCount));
    }

    public Task DeleteLog()
    {
        _log?.Dispose();
        _log = null;
        SegmentLog.Delete(_directory);
        _unavailable = new HubException(ErrorCode.UnknownTopicOrPartition, $"'{this.GetPrimaryKeyString()}' was deleted");
        _appended.TrySetResult(); // waiting fetches wake up and get the error
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The open log, or the reason there is none; such an activation goes away after answering, so a topic
    /// created later is seen by the next activation.
    /// </summary>
    private SegmentLog Log()
    {
        if (_log is not null) return _log;
        DeactivateOnIdle();
        throw _unavailable ?? new HubException(ErrorCode.UnknownTopicOrPartition, "partition is closed");
    }

    private async Task WaitForAppend(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        var appended = _appended.Task;
        if (await Task.WhenAny(appended, Task.Delay(timeout, time, cancel.Token)) == appended) cancel.Cancel();
    }

    /// <summary>
    /// A directory left by an older topic of the same name (deleted while this broker was away) holds
    /// someone else's records: wipe it before use. The topic id file says whose data it is, as in Kafka.
    /// </summary>
    private void ClaimDirectory(Guid topicId)
    {
        var idFile = Path.Combine(_directory, TopicIdFileName);
        if (File.Exists(idFile) && File.ReadAllText(idFile).Trim() != topicId.ToString())
        {
            logger.LogWarning("Removing {Directory}: it belongs to a deleted topic of the same name", _directory);
            SegmentLog.Delete(_directory);
        }
        Directory.CreateDirectory(_directory);
        if (!File.Exists(idFile)) File.WriteAllText(idFile, topicId.ToString());
    }

    private void StartTimers(TopicConfig config)
    {
        if (config.FlushMs is > 0 and < long.MaxValue)
        {
            var period = TimeSpan.FromMilliseconds(Math.Clamp(config.FlushMs / 2, 10, 1000));
            this.RegisterGrainTimer(() => { _log?.FlushIfDue(); return Task.CompletedTask; },
                new GrainTimerCreationOptions(period, period));
        }
        var retention = options.Value.RetentionCheckInterval;
        this.RegisterGrainTimer(() => { _log?.EnforceRetention(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(retention, retention));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
