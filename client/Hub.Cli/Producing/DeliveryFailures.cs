namespace Hub.Cli.Producing;

/// <summary>Counts failed deliveries reported on any thread and keeps the first error to show the user.</summary>
public sealed class DeliveryFailures
{
    private long _count;
    private Exception? _first;

    public long Count => Interlocked.Read(ref _count);

    public Exception? First => Volatile.Read(ref _first);

    public void Add(Exception error)
    {
        Interlocked.CompareExchange(ref _first, error, null);
        Interlocked.Increment(ref _count);
    }
}
