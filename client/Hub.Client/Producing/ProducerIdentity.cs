namespace Hub.Client.Producing;

/// <summary>
/// An idempotent producer's id (Kafka's InitProducerId), allocated once, when the first batch is sent. An
/// allocation that failed fails the batches that waited for it, and the next batch asks again.
/// </summary>
internal sealed class ProducerIdentity(Func<Task<long>> allocate)
{
    private readonly Lock _lock = new();
    private Task<long>? _allocation;

    public Task<long> GetAsync()
    {
        var allocation = Volatile.Read(ref _allocation);
        if (allocation is { IsCompletedSuccessfully: true }) return allocation;
        lock (_lock)
        {
            if (_allocation is null || _allocation.IsFaulted || _allocation.IsCanceled) _allocation = allocate();
            return _allocation;
        }
    }
}
