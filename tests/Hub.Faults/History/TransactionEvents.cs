namespace Hub.Faults.History;

/// <summary>One record of a transaction: the partition it was written to and its value (unique in the run).</summary>
public readonly record struct TransactionRecord(int Partition, string Value);

/// <summary>
/// A transactional producer handed these records to its client inside one transaction, named
/// <paramref name="Transaction"/> (unique in the run); the matching <see cref="TransactionEnded"/> says how it ended.
/// </summary>
public sealed record TransactionWritten(TimeSpan At, string TransactionalId, string Transaction, IReadOnlyList<TransactionRecord> Records) : HistoryEvent(At);

/// <summary>How the client saw a transaction end; <paramref name="Error"/> is the error behind an abort the client had to make, or behind an unknown outcome.</summary>
public sealed record TransactionEnded(TimeSpan At, string Transaction, TransactionOutcome Outcome, string? Error = null) : HistoryEvent(At);

/// <summary>A read_committed consumer of the transactional topic saw this record during the run.</summary>
public sealed record CommittedRecordConsumed(TimeSpan At, int Partition, long Offset, string Value) : HistoryEvent(At);
