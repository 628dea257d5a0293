namespace Hub.Client.Producing;

/// <summary>
/// Who to tell about one buffered record: a callback (<see cref="HubProducer.Produce(string, ProducerRecord, Action{RecordMetadata?, Exception?}?)"/>),
/// a shared callback plus the caller's state for this record (<see cref="HubProducer.Produce(string, ProducerRecord, Action{RecordMetadata?, Exception?, long}, long)"/>)
/// or a task (<see cref="HubProducer.ProduceAsync"/>), plus the record's timestamp for its <see cref="RecordMetadata"/>.
/// A struct, kept in a pooled array per batch, so buffering a record allocates nothing of its own.
/// </summary>
internal readonly struct PendingDelivery
{
    // One field for the three kinds of listener keeps the struct at three words.
    private readonly object? _listener;
    private readonly long _state;

    public PendingDelivery(long timestampMs, Action<RecordMetadata?, Exception?>? callback, TaskCompletionSource<RecordMetadata>? completion)
    {
        TimestampMs = timestampMs;
        _listener = (object?)completion ?? callback;
    }

    public PendingDelivery(long timestampMs, Action<RecordMetadata?, Exception?, long> callback, long state)
    {
        TimestampMs = timestampMs;
        _listener = callback;
        _state = state;
    }

    public long TimestampMs { get; }

    /// <summary>True when nobody waits for the outcome, so nothing needs to be kept.</summary>
    public bool IsUnobserved => _listener is null;

    public void Succeed(string topic, int partition, long offset)
    {
        if (IsUnobserved) return;
        var metadata = new RecordMetadata(topic, partition, offset, TimestampMs);
        if (_listener is TaskCompletionSource<RecordMetadata> completion) completion.TrySetResult(metadata);
        else Invoke(metadata, null);
    }

    public void Fail(Exception error)
    {
        if (_listener is TaskCompletionSource<RecordMetadata> completion) completion.TrySetException(error);
        else Invoke(null, error);
    }

    private void Invoke(RecordMetadata? metadata, Exception? error)
    {
        try
        {
            switch (_listener)
            {
                case Action<RecordMetadata?, Exception?> callback:
                    callback(metadata, error);
                    break;
                case Action<RecordMetadata?, Exception?, long> callback:
                    callback(metadata, error, _state);
                    break;
            }
        }
        catch
        {
            // A throwing callback must not keep the rest of the batch's records from being reported, nor stall
            // the sender; as in Kafka's producer, the callback's own failure is the caller's to handle.
        }
    }
}
