namespace Hub.Faults.Faults;

/// <summary>The metadata store (Redis) SIGKILLed, down a few seconds, started again with what it acknowledged (fsynced AOF).</summary>
internal sealed class RestartStoreFault : IFault
{
    public string Kind => "restart-store";

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var down = context.Length();
        var detail = $"down {down.TotalSeconds:F0} s";
        await context.Cluster.Store.KillAsync();
        try
        {
            context.Started(Kind, detail);
            await Task.Delay(down, ct);
            context.Ended(Kind, detail);
        }
        finally
        {
            await context.Cluster.Store.StartAsync(CancellationToken.None);
        }
    }
}
