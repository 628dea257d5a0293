namespace Hub.Faults.History;

/// <summary>One thing that happened during a run, stamped with the time since the run started.</summary>
public abstract record HistoryEvent(TimeSpan At);

/// <summary>A workload handed a record to its client; <paramref name="Value"/> is unique in the run.</summary>
public sealed record ProduceSent(TimeSpan At, string Workload, int Partition, string Value) : HistoryEvent(At);

/// <summary>The client reported the record acknowledged (acks=all) at this offset.</summary>
public sealed record ProduceAcked(TimeSpan At, string Workload, int Partition, string Value, long Offset) : HistoryEvent(At);

/// <summary>The client gave up on the record: it may or may not be stored, so it is neither lost nor required.</summary>
public sealed record ProduceFailed(TimeSpan At, string Workload, int Partition, string Value, string Error) : HistoryEvent(At);

/// <summary>
/// A fault began. <paramref name="BrokersDown"/> lists the brokers that can neither take nor copy records until
/// the matching <see cref="FaultEnded"/> (the next one of the same kind): killed, paused, cut off from the other
/// silos, their log directory failing. Only brokers down for the whole fault belong there (a rolling restart
/// records one fault per broker); the checker's below-min.insync.replicas rule reads it.
/// </summary>
public sealed record FaultStarted(TimeSpan At, string Kind, string Detail, IReadOnlyList<int>? BrokersDown = null) : HistoryEvent(At);

public sealed record FaultEnded(TimeSpan At, string Kind, string Detail) : HistoryEvent(At);

/// <summary>
/// A partition's metadata as the cluster reported it (leader epochs must never go backwards), recorded when it
/// differs from the previous sample; <paramref name="Replicas"/> is the assignment the ISR is drawn from.
/// </summary>
public sealed record MetadataSeen(TimeSpan At, int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Isr, IReadOnlyList<int>? Replicas = null) : HistoryEvent(At);

/// <summary>A consumer saw this record during the run (a record seen and later truncated is an anomaly).</summary>
public sealed record RecordConsumed(TimeSpan At, string Reader, int Partition, long Offset, string Value) : HistoryEvent(At);
