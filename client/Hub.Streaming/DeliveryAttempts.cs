using System.Collections.Concurrent;

namespace Hub.Streaming;

/// <summary>
/// Failed delivery attempts of one grain activation's subscriptions, for the event each is stuck on. Kept on the
/// activation (a grain context component), so it goes with it: an activation collected between two attempts
/// starts counting again, which only adds attempts. Thread-safe, for reentrant grains.
/// </summary>
internal sealed class DeliveryAttempts
{
    private readonly ConcurrentDictionary<Guid, (long Offset, int Failures)> _failing = new();

    /// <summary>Counts a failed attempt at <paramref name="offset"/>; returns the failures there so far.</summary>
    public int Failed(Guid subscription, long offset) =>
        _failing.AddOrUpdate(subscription, _ => (offset, 1), (_, current) => current.Offset == offset ? (offset, current.Failures + 1) : (offset, 1)).Failures;

    /// <summary>The subscription's event was delivered or dead-lettered: the next one starts afresh.</summary>
    public void Settled(Guid subscription) => _failing.TryRemove(subscription, out _);

    /// <summary>Subscriptions with a failing event.</summary>
    public int Count => _failing.Count;
}
