namespace Hub.Faults.History;

/// <summary>A broker's silo exited with no fault stopping it (a paused silo declared dead exits when resumed); the supervisor restarts it.</summary>
public sealed record BrokerExited(TimeSpan At, int Broker, int ExitCode) : HistoryEvent(At);

/// <summary>The cluster was not healthy (every broker serving, every partition led, every ISR full) within the bounded wait before a fault.</summary>
public sealed record ClusterUnhealthy(TimeSpan At, string Reason) : HistoryEvent(At);
