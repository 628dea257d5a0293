namespace Hub.Silo.Kafka.Limits;

/// <summary>
/// A silo-wide bound on the bytes of Kafka requests being received or handled (Kafka's queued.max.request.bytes): a
/// connection takes its next frame's size before buffering it and gives it back once the request is answered, and
/// waits, reading nothing more, while the budget is spent. Waiters are served in order, so a large frame isn't
/// starved by small ones.
/// </summary>
internal sealed class RequestBytesBudget(long capacity)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Ready)> _waiting = [];
    private long _available = capacity;

    public long Capacity => capacity;

    public long Available
    {
        get { lock (_lock) return _available; }
    }

    /// <summary>Takes <paramref name="bytes"/> (at most the capacity), waiting while they are not free.</summary>
    public async ValueTask AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, capacity);
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return;
            }
            node = _waiting.AddLast((bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }
        try
        {
            await node.Value.Item2.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            bool granted;
            lock (_lock)
            {
                // Granted just as it was cancelled: give the bytes back. Otherwise leave the queue.
                granted = node.Value.Item2.Task.IsCompletedSuccessfully;
                if (!granted)
                {
                    _waiting.Remove(node);
                    GrantWaiting(); // those behind it may fit now
                }
            }
            if (granted) Release(bytes);
            throw;
        }
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _available += bytes;
            GrantWaiting();
        }
    }

    /// <summary>Grants waiters in order while the first fits; called under the lock.</summary>
    private void GrantWaiting()
    {
        while (_waiting.First is { } next && next.Value.Bytes <= _available)
        {
            _available -= next.Value.Bytes;
            _waiting.RemoveFirst();
            next.Value.Ready.TrySetResult();
        }
    }
}
