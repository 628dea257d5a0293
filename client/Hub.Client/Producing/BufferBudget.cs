namespace Hub.Client.Producing;

/// <summary>
/// Bytes a producer may hold buffered or in flight (Kafka's buffer.memory). Producing waits while the budget
/// is spent, so a fast caller is held to the pace of the acknowledgements instead of growing memory without
/// bound. The check comes before a record is added, so concurrent producers can overshoot by a record each.
/// </summary>
internal sealed class BufferBudget(long limitBytes)
{
    private readonly object _gate = new();
    private long _used;
    private int _waiters;
    private TaskCompletionSource? _freed;

    public bool IsExhausted => Volatile.Read(ref _used) >= limitBytes;

    public long UsedBytes => Volatile.Read(ref _used);

    public void Take(long bytes) => Interlocked.Add(ref _used, bytes);

    public void Return(long bytes)
    {
        Interlocked.Add(ref _used, -bytes);
        // Interlocked.Add is a full fence, as is the waiters' increment: either they see the room, or we see them.
        if (Volatile.Read(ref _waiters) == 0) return;
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
            _freed?.TrySetResult();
            _freed = null;
        }
    }

    /// <summary>Blocks the calling thread until there is room, as Kafka's blocking send() does.</summary>
    public void WaitForRoom()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _waiters);
            try
            {
                while (IsExhausted) Monitor.Wait(_gate);
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }
    }

    public async Task WaitForRoomAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                Task freed;
                lock (_gate)
                {
                    if (!IsExhausted) return;
                    freed = (_freed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }
                await freed.WaitAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }
}
