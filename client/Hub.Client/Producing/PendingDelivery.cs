namespace Hub.Client.Producing;

/// <summary>
/// Who to tell about one buffered record: a callback (<see cref="HubProducer.Produce"/>) or a task
/// (<see cref="HubProducer.ProduceAsync"/>), plus the record's timestamp for its <see cref="RecordMetadata"/>.
/// A struct, kept in a pooled array per batch, so buffering a record allocates nothing of its own.
/// </summary>
internal readonly struct PendingDelivery(
    long timestampMs,
    Action<RecordMetadata?, Exception?>? callback,
    TaskCompletionSource<RecordMetadata>? completion)
{
    public long TimestampMs => timestampMs;

    /// <summary>True when nobody waits for the outcome, so nothing needs to be kept.</summary>
    public bool IsUnobserved => callback is null && completion is null;

    public void Succeed(string topic, int partition, long offset)
    {
        if (IsUnobserved) return;
        var metadata = new RecordMetadata(topic, partition, offset, timestampMs);
        completion?.TrySetResult(metadata);
        Invoke(metadata, null);
    }

    public void Fail(Exception error)
    {
        completion?.TrySetException(error);
        Invoke(null, error);
    }

    private void Invoke(RecordMetadata? metadata, Exception? error)
    {
        try
        {
            callback?.Invoke(metadata, error);
        }
        catch
        {
            // A throwing callback must not keep the rest of the batch's records from being reported, nor stall
            // the sender; as in Kafka's producer, the callback's own failure is the caller's to handle.
        }
    }
}
