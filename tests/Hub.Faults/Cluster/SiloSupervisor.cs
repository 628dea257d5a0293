using Hub.Faults.History;

namespace Hub.Faults.Cluster;

/// <summary>
/// Restarts a silo that exited on its own, as systemd's Restart=always would: a paused silo that its peers
/// declared dead exits when it runs again, a silo that cannot reach the store at start gives up. Silos a fault
/// holds are left alone; the fault starts them again when it heals.
/// </summary>
internal sealed class SiloSupervisor(IReadOnlyList<SiloNode> silos, RunHistory history, Action<string> log)
{
    /// <summary>How often exits are looked for; a restart takes seconds anyway.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>systemd's RestartSec: a silo that keeps failing does not spin.</summary>
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(CheckInterval);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            foreach (var silo in silos)
            {
                if (silo.ExitedByItself is not { } exitCode) continue;
                history.Add(new BrokerExited(history.Now, silo.Broker, exitCode));
                log($"broker {silo.Broker} exited by itself ({exitCode}): restarting it");
                await Task.Delay(RestartDelay, stop).ConfigureAwait(false);
                try
                {
                    await silo.StartAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log($"broker {silo.Broker} did not restart: {e.Message}");
                }
            }
        }
    }
}
