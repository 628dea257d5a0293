using System.Diagnostics;
using System.Threading.Channels;
using Hub.Client;
using Hub.Errors;
using Hub.Partitions;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Reads one partition for a pulling agent. It starts at the provider group's committed offset (or
/// <see cref="HubStreamOptions.StartFrom"/>), reads ahead at most <see cref="HubStreamOptions.ReadAheadRecords"/>
/// records (then the read pauses: back-pressure reaches Hub), and commits an offset only once the cache let go
/// of every record before it, i.e. every subscriber moved past them. So a restart re-delivers what was not
/// delivered (at least once), and <c>hub groups describe</c> shows the provider's lag. A partition added to its
/// topic while the provider runs starts at its beginning when the group has no offset for it, whatever
/// StartFrom says: all its records are newer than the provider, and Latest would skip those written before the
/// provider noticed the partition (Kafka's consumers have that gap, KAFKA-12261).
/// </summary>
internal sealed partial class HubQueueReceiver : IQueueAdapterReceiver
{
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromSeconds(1);

    private readonly HubStreamConnection _connection;
    private readonly string _topic;
    private readonly int _partition;
    private readonly ILogger _logger;
    private readonly Channel<HubBatchContainer> _readAhead;
    private readonly CancellationTokenSource _stop = new();
    private readonly TagList _tags;
    private HubConsumer? _consumer;
    private Task _pump = Task.CompletedTask;
    private readonly bool _addedAtRuntime;
    private long _committed = -1;

    public HubQueueReceiver(HubStreamConnection connection, string topic, int partition, bool addedAtRuntime, ILogger logger)
    {
        _addedAtRuntime = addedAtRuntime;
        _connection = connection;
        _topic = topic;
        _partition = partition;
        _logger = logger;
        _readAhead = Channel.CreateBounded<HubBatchContainer>(new BoundedChannelOptions(connection.Options.ReadAheadRecords)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _tags = new TagList { { "topic", topic }, { "partition", partition } };
    }

    public async Task Initialize(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var committed = await _connection.CommittedAsync(_topic, _partition, cts.Token).ConfigureAwait(false);
        _committed = committed ?? -1;
        var start = committed ?? ResetTo;
        _consumer = _connection.Client.CreateConsumer();
        await _consumer.AssignAsync(_topic, _partition, start, cts.Token).ConfigureAwait(false);
        LogStarted(_topic, _partition, _consumer.Position(_topic, _partition), _connection.Group);
        _pump = Task.Run(() => PumpAsync(_consumer, _stop.Token));
    }

    /// <summary>Where reading starts without a committed offset, or after retention deleted the records at the position.</summary>
    private long ResetTo => _addedAtRuntime || _connection.Options.StartFrom == AutoOffsetReset.Earliest ? OffsetSpec.Earliest : OffsetSpec.Latest;

    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
    {
        var limit = maxCount < 0 ? int.MaxValue : maxCount;
        var messages = new List<IBatchContainer>();
        while (messages.Count < limit && _readAhead.Reader.TryRead(out var message)) messages.Add(message);
        return Task.FromResult<IList<IBatchContainer>>(messages);
    }

    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages)
    {
        var next = -1L;
        foreach (var message in messages)
        {
            if (message is HubBatchContainer container) next = Math.Max(next, container.Token.Offset + 1);
        }
        if (next <= _committed) return;
        await _connection.CommitAsync(_topic, _partition, next, _stop.Token).ConfigureAwait(false);
        _committed = next;
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_consumer is not null) await _consumer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task PumpAsync(HubConsumer consumer, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var result in consumer.ConsumeAsync(ct).ConfigureAwait(false))
                {
                    await _readAhead.Writer.WriteAsync(_connection.Codec.Decode(_topic, _partition, result.Record), ct).ConfigureAwait(false);
                    HubStreamMetrics.RecordsRead.Add(1, _tags);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (HubException e) when (e.Code == ErrorCode.OffsetOutOfRange)
            {
                // Retention deleted the records at the position before they were read (or the topic was
                // recreated): reading there again would fail forever; a Kafka consumer applies auto.offset.reset.
                LogPositionOutOfRange(_topic, _partition, consumer.Position(_topic, _partition), ResetTo);
                await consumer.AssignAsync(_topic, _partition, ResetTo, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e)
            {
                // The consumer's position is past the last record handed on: read on from there after a pause.
                LogReadFailed(e, _topic, _partition, ReadRetryDelay);
                await Task.Delay(ReadRetryDelay, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!ct.IsCancellationRequested)
                    await consumer.AssignAsync(_topic, _partition, consumer.Position(_topic, _partition), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {Topic}/{Partition} from offset {Offset} for consumer group {Group}")]
    private partial void LogStarted(string topic, int partition, long offset, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Topic}/{Partition} at offset {Offset}: out of range (retention deleted it?); reading from {ResetTo}")]
    private partial void LogPositionOutOfRange(string topic, int partition, long offset, long resetTo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Topic}/{Partition} failed; trying again in {Delay}")]
    private partial void LogReadFailed(Exception exception, string topic, int partition, TimeSpan delay);
}
