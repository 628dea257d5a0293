namespace Hub.Faults.Faults;

/// <summary>
/// The target broker cut off from every other broker, both ways, for a few seconds: it still reaches the store and
/// its clients still reach it (a leader in a minority partition must stop acknowledging writes).
/// </summary>
internal sealed class IsolateFromPeersFault(string kind, Func<FaultContext, Task<Target>> choose) : IFault
{
    public string Kind => kind;

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var target = await choose(context);
        context.Cluster.Network.IsolateFromPeers(target.Broker);
        try
        {
            context.Started(kind, target.Description, target.Brokers);
            await Task.Delay(context.Length(), ct);
            context.Ended(kind, target.Description);
        }
        finally
        {
            context.Cluster.Network.Heal();
        }
    }
}
