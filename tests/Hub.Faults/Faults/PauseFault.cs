namespace Hub.Faults.Faults;

/// <summary>
/// SIGSTOP of a broker for 5-15 s, then SIGCONT: a hung process (a long GC, a stalled VM). Paused longer than the
/// failure detection, it is declared dead and exits when it runs again; the supervisor restarts it.
/// </summary>
internal sealed class PauseFault : IFault
{
    private static readonly TimeSpan ShortestPause = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(15);

    public string Kind => "pause-broker";

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var target = await Targets.AnyBroker(context);
        var silo = context.Silo(target.Broker);
        var pause = context.Length(ShortestPause, LongestPause);
        var detail = $"{target.Description} for {pause.TotalSeconds:F0} s";
        using var hold = silo.Hold();
        silo.Pause();
        try
        {
            context.Started(Kind, detail, target.Brokers);
            await Task.Delay(pause, ct);
            context.Ended(Kind, detail);
        }
        finally
        {
            silo.Resume();
        }
    }
}
