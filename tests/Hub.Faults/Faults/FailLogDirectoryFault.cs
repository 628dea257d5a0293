namespace Hub.Faults.Faults;

/// <summary>
/// The log directory of a partition's leader fails: while the marker file
/// <c>&lt;DataDirectory&gt;/fault-injection/fail-io</c> exists, a silo run with Hub:FaultInjection:Enabled fails
/// every log write and fsync (the silo side of this contract is the log's I/O fault seam). After a few seconds the
/// marker goes and the silo is restarted, as an operator would after replacing the disk. The broker is not listed
/// as down: the silo notices the marker on a timer, so it may still write for a moment after the fault started.
/// </summary>
internal sealed class FailLogDirectoryFault : IFault
{
    public const string MarkerDirectory = "fault-injection";
    public const string MarkerFile = "fail-io";

    public string Kind => "fail-log-dir";

    public async Task RunAsync(FaultContext context, CancellationToken ct)
    {
        var target = await Targets.LeaderOfAPartition(context);
        var silo = context.Silo(target.Broker);
        var marker = Path.Combine(silo.DataDirectory, MarkerDirectory, MarkerFile);
        using var hold = silo.Hold();
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        await File.WriteAllTextAsync(marker, "", CancellationToken.None);
        try
        {
            context.Started(Kind, target.Description);
            await Task.Delay(context.Length(), ct);
            context.Ended(Kind, target.Description);
        }
        finally
        {
            File.Delete(marker);
        }
        await silo.StopAsync();
        await silo.StartAsync(ct);
    }
}
