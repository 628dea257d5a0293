namespace Hub.Cli.Consuming;

/// <summary>
/// Tells when a consumer that doesn't follow the topic is done: every assigned partition's position has
/// reached the end offset (high watermark) the partition had when the command started.
/// </summary>
public sealed class CatchUpTracker
{
    private readonly Dictionary<int, long> _ends = new();
    private readonly HashSet<int> _behind = new();

    /// <summary>Adds a partition read from <paramref name="position"/> up to (not including) <paramref name="end"/>.</summary>
    public void Add(int partition, long position, long end)
    {
        _ends.Add(partition, end);
        if (position < end) _behind.Add(partition);
    }

    public bool AllCaughtUp => _behind.Count == 0;

    /// <summary>The partition's end offset at the start: offsets from here on were appended later.</summary>
    public long EndOf(int partition) => _ends[partition];

    /// <summary>Whether <paramref name="offset"/> was already in the partition at the start.</summary>
    public bool IsBeforeEnd(int partition, long offset) => offset < _ends[partition];

    /// <summary>Notes that the partition's next offset to read is now <paramref name="position"/>.</summary>
    public void Advance(int partition, long position)
    {
        if (position >= _ends[partition]) _behind.Remove(partition);
    }

    /// <summary>
    /// Takes the positions of the partitions still behind from the consumer, which also moves past offsets
    /// that yield no record (such as Kafka's transaction markers).
    /// </summary>
    public void Refresh(Func<int, long> positionOf)
    {
        foreach (var partition in _behind.ToArray()) Advance(partition, positionOf(partition));
    }
}
