namespace Hub.Faults.Faults;

/// <summary>
/// Every broker in turn stopped gracefully and started again (one fault per broker in the history), the next one
/// only once the cluster is healthy (every ISR full) or a bounded wait passed: a rolling upgrade.
/// </summary>
internal sealed class RollingRestartFault(Func<CancellationToken, Task> waitHealthy) : IFault
{
    public string Kind => "rolling-restart";

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        for (var broker = 0; broker < context.Cluster.Silos.Count; broker++)
        {
            if (broker > 0) await waitHealthy(ct);
            await CleanRestartFault.RestartAsync(context, Kind, broker, ct);
        }
    }
}
