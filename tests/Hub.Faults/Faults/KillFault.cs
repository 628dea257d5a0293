namespace Hub.Faults.Faults;

/// <summary>SIGKILL of the target's brokers at once (a crash: nothing flushed); they stay down a few seconds, then start again.</summary>
internal sealed class KillFault(string kind, Func<FaultContext, Task<Target>> choose) : IFault
{
    public string Kind => kind;

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var target = await choose(context);
        var silos = target.Brokers.Select(context.Silo).ToList();
        var holds = silos.Select(silo => silo.Hold()).ToList();
        try
        {
            await Task.WhenAll(silos.Select(silo => silo.KillAsync()));
            context.Started(kind, target.Description, target.Brokers);
            await Task.Delay(context.Length(), ct);
            context.Ended(kind, target.Description);
            await Task.WhenAll(silos.Select(silo => silo.StartAsync(ct)));
        }
        finally
        {
            // A silo that did not start is the supervisor's from here on.
            foreach (var hold in holds) hold.Dispose();
        }
    }
}
