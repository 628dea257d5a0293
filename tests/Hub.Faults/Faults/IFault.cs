namespace Hub.Faults.Faults;

/// <summary>
/// One kind of fault: it picks its target, injects the fault, holds it a few seconds and heals it, recording
/// FaultStarted and FaultEnded. It heals also when the run is stopped midway.
/// </summary>
internal interface IFault
{
    /// <summary>The name in --kinds, the history and the checker's table.</summary>
    string Kind { get; }

    Task RunAsync(FaultContext context, CancellationToken ct);
}
