using Hub.Faults.History;

namespace Hub.Faults.Faults;

/// <summary>
/// Injects faults one after another until the run's budget (a number of faults or a duration) is spent. Before
/// each, it waits until the cluster healed from the last (bounded: a cluster that does not heal is recorded and
/// the run goes on), then a quiet moment in which the workloads get acknowledgements on a healthy cluster.
/// </summary>
internal sealed class FaultInjector(IReadOnlyList<IFault> faults, FaultSchedule schedule, FaultContext context, Func<CancellationToken, Task<string?>> waitHealthy)
{
    /// <summary>Between a healed cluster and the next fault: long enough for the workloads to be acknowledged again.</summary>
    private static readonly TimeSpan QuietGap = TimeSpan.FromSeconds(2);

    /// <returns>How many faults were injected.</returns>
    public async Task<int> RunAsync(int? maxFaults, TimeSpan? duration, CancellationToken ct)
    {
        var deadline = context.History.Now + (duration ?? TimeSpan.MaxValue / 2);
        var injected = 0;
        while (injected < (maxFaults ?? int.MaxValue) && context.History.Now < deadline && !ct.IsCancellationRequested)
        {
            if (await waitHealthy(ct) is { } unhealthy)
            {
                context.History.Add(new ClusterUnhealthy(context.History.Now, unhealthy));
                context.Log($"not healthy before the next fault: {unhealthy}");
            }
            await Task.Delay(QuietGap, ct);
            var kind = schedule.Next();
            var fault = faults.First(fault => fault.Kind == kind);
            try
            {
                await fault.RunAsync(context, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A silo that does not come back is the supervisor's; the next health wait shows whether it did.
                context.Log($"fault {kind} did not heal cleanly: {e.Message}");
            }
            injected++;
        }
        return injected;
    }
}
