// The fault-injection suite (issue 14): real silos in network namespaces, real clients writing, faults from a
// printed seed, and a checker that every acknowledged record is read back exactly once and in order.
using System.Runtime.InteropServices;
using Hub.Faults.Cluster;
using Hub.Faults.Runner;

RunOptions options;
try
{
    options = RunOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(RunOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(RunOptions.Usage);
    return 0;
}

// The seed comes first, so a run that dies in any way can be repeated.
Console.WriteLine($"seed {options.Seed}");
if (!Environment.IsPrivilegedProcess || !Commands.IsOnPath("ip") || !Commands.IsOnPath("redis-server"))
{
    Console.Error.WriteLine("hub-faults needs root, ip (iproute2, with network namespaces) and redis-server");
    return 2;
}

using var stop = new CancellationTokenSource();
// Ctrl-C or SIGTERM ends the run early, still removing its processes, namespaces and links.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

// This program runs from tests/Hub.Faults/bin/<configuration>/net10.0 of a checkout.
var repositoryRoot = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
try
{
    // The checker's table comes last.
    var anomalies = await new FaultRun(options, repositoryRoot).RunAsync(stop.Token);
    return anomalies == 0 ? 0 : 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"the run failed (seed {options.Seed}): {e}");
    return 2;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
