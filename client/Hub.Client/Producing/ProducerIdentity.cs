namespace Hub.Client.Producing;

/// <summary>
/// An idempotent producer's id and epoch (Kafka's InitProducerId). Allocated once, when the first batch is sent: an
/// allocation that failed fails the batches that waited for it, and the next batch asks again. A transactional
/// producer's comes from its transaction coordinator instead (<see cref="Assign"/>), before any batch is sent.
/// </summary>
internal sealed class ProducerIdentity(Func<Task<ProducerIdAndEpoch>>? allocate)
{
    private readonly Lock _lock = new();
    private Task<ProducerIdAndEpoch>? _allocation;

    public Task<ProducerIdAndEpoch> GetAsync()
    {
        var allocation = Volatile.Read(ref _allocation);
        if (allocation is { IsCompletedSuccessfully: true }) return allocation;
        lock (_lock)
        {
            if (allocate is null)
                return _allocation ?? throw new InvalidOperationException("a transactional producer has no producer id before InitTransactionsAsync");
            if (_allocation is null || _allocation.IsFaulted || _allocation.IsCanceled) _allocation = allocate();
            return _allocation;
        }
    }

    public void Assign(ProducerIdAndEpoch producer)
    {
        lock (_lock) _allocation = Task.FromResult(producer);
    }
}
