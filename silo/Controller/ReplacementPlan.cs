namespace Hub.Silo.Controller;

/// <summary>One replica leaving a gone broker for a live one.</summary>
internal sealed record ReplicaMove(string Topic, int Partition, int From, int To);

/// <summary>What <see cref="ReplicaPlacement.ReplaceGone"/> decided: the new assignments, and the moves that make them up.</summary>
internal sealed record ReplacementPlan(IReadOnlyList<PartitionChange> Changes, IReadOnlyList<ReplicaMove> Moves);
