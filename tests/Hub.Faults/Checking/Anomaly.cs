namespace Hub.Faults.Checking;

/// <summary>
/// One thing wrong in a run: when it showed (an acknowledgement's, a consumption's or a sample's time, or the run's
/// end for what only the read-back shows), on which partition, and the record values it concerns.
/// </summary>
public sealed record Anomaly(AnomalyKind Kind, TimeSpan At, int Partition, string Description, IReadOnlyList<string> Values);
