using Hub.Topics;

namespace Hub.Silo.Controller;

/// <summary>
/// When each broker that holds replicas was first seen gone, so the controller replaces only brokers gone longer
/// than the replacement delay (a restart or a short pause must not copy every log it holds). A broker's clock
/// stops when it returns or holds no replica any more. Lives in the controller's activation: a new activation
/// starts every clock again at its first membership report, which only delays a replacement.
/// </summary>
internal sealed class GoneBrokers(TimeProvider time, TimeSpan replacementDelay)
{
    /// <summary>Floor of the check interval, so a tiny delay (as in tests) doesn't make the timer spin.</summary>
    private static readonly TimeSpan MinCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Checks per delay: a replacement comes at most a quarter of the delay late.</summary>
    private const int ChecksPerDelay = 4;

    private readonly Dictionary<int, DateTimeOffset> _since = [];

    /// <summary>How often the controller should look for brokers gone too long while any is gone.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Max(replacementDelay.Ticks / ChecksPerDelay, MinCheckInterval.Ticks));

    public bool Any => _since.Count > 0;

    /// <summary>When <paramref name="broker"/> was first seen gone.</summary>
    public DateTimeOffset Since(int broker) => _since[broker];

    /// <summary>Starts the clock of brokers that hold replicas and are not live; stops it for those back or holding nothing.</summary>
    public void Observe(IReadOnlySet<int> live, IEnumerable<TopicMetadata> topics)
    {
        var holding = Holding(topics);
        foreach (var broker in _since.Keys.Where(b => live.Contains(b) || !holding.Contains(b)).ToArray()) _since.Remove(broker);
        foreach (var broker in holding.Where(b => !live.Contains(b))) _since.TryAdd(broker, time.GetUtcNow());
    }

    /// <summary>Brokers gone for at least the replacement delay and still not among <paramref name="live"/>.</summary>
    public IReadOnlySet<int> GoneTooLong(IReadOnlyCollection<int> live) =>
        _since.Where(g => time.GetUtcNow() - g.Value >= replacementDelay && !live.Contains(g.Key)).Select(g => g.Key).ToHashSet();

    /// <summary>Stops the clock of brokers whose replicas have all moved.</summary>
    public void ForgetReplaced(IEnumerable<TopicMetadata> topics)
    {
        var holding = Holding(topics);
        foreach (var broker in _since.Keys.Where(b => !holding.Contains(b)).ToArray()) _since.Remove(broker);
    }

    private static HashSet<int> Holding(IEnumerable<TopicMetadata> topics) =>
        topics.SelectMany(t => t.Partitions).SelectMany(p => p.Replicas).ToHashSet();
}
