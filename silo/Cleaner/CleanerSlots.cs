namespace Hub.Silo.Cleaner;

/// <summary>
/// The silo's log.cleaner.threads: at most that many logs are cleaned at once, and when a slot frees up the dirtiest
/// log waiting gets it (Kafka's cleaner threads each pick the filthiest log). Thread-safe.
/// </summary>
internal sealed class CleanerSlots(int count)
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<TaskCompletionSource<Slot>, double> _waiting = new();
    private int _free = count;

    /// <summary>A slot, until disposed.</summary>
    public sealed class Slot(CleanerSlots owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release();
        }
    }

    /// <summary>
    /// A slot for a log of <paramref name="dirtyRatio"/>, once one is free and no dirtier log waits. The await resumes
    /// in the caller's context (a partition grain's turn).
    /// </summary>
    public async Task<Slot> WaitAsync(double dirtyRatio, CancellationToken cancel)
    {
        TaskCompletionSource<Slot> granted;
        lock (_lock)
        {
            if (_free > 0 && _waiting.Count == 0)
            {
                _free--;
                return new Slot(this);
            }
            granted = new TaskCompletionSource<Slot>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(granted, -dirtyRatio);
        }
        using (cancel.Register(() => granted.TrySetCanceled(cancel)))
        {
            return await granted.Task;
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            // A waiter cancelled meanwhile can't take it: the next one does.
            while (_waiting.TryDequeue(out var waiter, out _))
            {
                if (waiter.TrySetResult(new Slot(this))) return;
            }
            _free++;
        }
    }
}
