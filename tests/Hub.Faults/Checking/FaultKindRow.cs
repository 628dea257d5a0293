namespace Hub.Faults.Checking;

/// <summary>
/// One row of the report's table: a fault kind (or <see cref="NoFault"/>, or <see cref="All"/>), how many faults
/// of it ran, the acknowledgements, transactions ended and anomalies during them or their aftermath, and the longest
/// stretch a partition acknowledged nothing while one of them was on.
/// </summary>
public sealed record FaultKindRow(string Kind, int Faults, int Acked, IReadOnlyDictionary<AnomalyKind, int> Anomalies, TimeSpan LongestUnavailable, TransactionTally Transactions = default)
{
    /// <summary>The row for what happened outside every fault and its aftermath.</summary>
    public const string NoFault = "(no fault)";

    /// <summary>The row for the whole run.</summary>
    public const string All = "all";

    public int Count(AnomalyKind kind) => Anomalies.GetValueOrDefault(kind);
}
