using Hub.Transactions;

namespace Hub.Silo.Transactions;

/// <summary>
/// ListTransactions' filters (KIP-664, KIP-994): states by Kafka's names, producer ids, and a minimum time the
/// transaction has been running. An empty list filters nothing; a state name Kafka does not know matches nothing and
/// is reported back. Unlike Kafka, whose start time outlives the transaction, the duration filter keeps only
/// transactions running now (ongoing or being ended): a complete one is not running at all.
/// </summary>
internal sealed class TransactionListFilter
{
    /// <summary>Kafka's state names; Dead and PrepareEpochFence are Kafka's too, though Hub never lists an id in them.</summary>
    private static readonly HashSet<string> KnownStates =
        new([.. Enum.GetNames<TransactionStatus>(), "Dead", "PrepareEpochFence"], StringComparer.Ordinal);

    /// <summary>Kafka's value for "no duration filter".</summary>
    public const long NoDuration = -1;

    private readonly HashSet<string> _states;
    private readonly HashSet<long> _producerIds;
    private readonly long _minDurationMs;
    private readonly TimeProvider _time;

    public TransactionListFilter(IReadOnlyCollection<string> states, IReadOnlyCollection<long> producerIds, long minDurationMs, TimeProvider time)
    {
        _states = new HashSet<string>(states, StringComparer.Ordinal);
        _producerIds = [.. producerIds];
        _minDurationMs = minDurationMs;
        _time = time;
        UnknownStates = _states.Where(s => !KnownStates.Contains(s)).ToArray();
    }

    /// <summary>The state filters Kafka does not know, for the response's unknown_state_filters.</summary>
    public IReadOnlyList<string> UnknownStates { get; }

    public bool Matches(TransactionDescription transaction)
    {
        if (_producerIds.Count > 0 && !_producerIds.Contains(transaction.ProducerId)) return false;
        if (_states.Count > 0 && !_states.Contains(transaction.State.ToString())) return false;
        if (_minDurationMs < 0) return true;
        return transaction.StartedMs >= 0 && _time.GetUtcNow().ToUnixTimeMilliseconds() - transaction.StartedMs > _minDurationMs;
    }
}
