namespace Hub.Faults.Faults;

/// <summary>A broker cut off from the metadata store (membership, topic metadata), both ways, for a few seconds; its peers and clients still reach it.</summary>
internal sealed class IsolateFromStoreFault : IFault
{
    public string Kind => "isolate-from-store";

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var target = await Targets.AnyBroker(context);
        context.Cluster.Network.IsolateFromStore(target.Broker);
        try
        {
            context.Started(Kind, target.Description);
            await Task.Delay(context.Length(), ct);
            context.Ended(Kind, target.Description);
        }
        finally
        {
            context.Cluster.Network.Heal();
        }
    }
}
