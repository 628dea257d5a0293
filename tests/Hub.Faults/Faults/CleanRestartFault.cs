namespace Hub.Faults.Faults;

/// <summary>A broker stopped gracefully (SIGTERM: logs flushed, grains deactivated) and started again at once, as in an upgrade.</summary>
internal sealed class CleanRestartFault : IFault
{
    public string Kind => "clean-restart";

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var target = await Targets.AnyBroker(context);
        await RestartAsync(context, Kind, target.Broker, ct);
    }

    /// <summary>Stops <paramref name="broker"/> gracefully and starts it again, recorded as one fault of <paramref name="kind"/>.</summary>
    public static async Task RestartAsync(FaultContext context, string kind, int broker, CancellationToken ct)
    {
        var silo = context.Silo(broker);
        var detail = $"broker {broker}";
        using var hold = silo.Hold();
        await silo.StopAsync();
        context.Started(kind, detail, [broker]);
        context.Ended(kind, detail);
        await silo.StartAsync(ct);
    }
}
