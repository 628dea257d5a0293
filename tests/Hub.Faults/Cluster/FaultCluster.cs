using System.Net;
using Hub.Faults.History;
using Hub.Faults.Workloads;

namespace Hub.Faults.Cluster;

/// <summary>
/// A run's cluster: its slot, its network, the store and the silos (each in its namespace), the supervisor
/// that restarts silos that exit on their own, and the runner's control client. Disposing it stops every
/// process and removes the network, leaving the data directories (and logs) where they are.
/// </summary>
internal sealed class FaultCluster : IAsyncDisposable
{
    /// <summary>How often health is checked while waiting for it.</summary>
    private static readonly TimeSpan HealthPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>A silo that fails to start this often in a row on a fresh cluster means the run cannot go on.</summary>
    private const int FirstStartAttempts = 3;

    private readonly RunSlot _slot;
    private readonly List<SiloNode> _silos = [];
    private readonly CancellationTokenSource _stopSupervisor = new();
    private Task _supervisor = Task.CompletedTask;
    private ClusterControl? _control;

    private FaultCluster(RunSlot slot, NetworkLayout layout, StoreNode store)
    {
        _slot = slot;
        Network = new TestNetwork(layout);
        Store = store;
    }

    /// <summary>Where the silo program is, how many brokers, and where data and logs go.</summary>
    public sealed record Settings(string SiloDll, int Brokers, string DataRoot, string LogDirectory);

    public NetworkLayout Layout => Network.Layout;

    public TestNetwork Network { get; }

    public StoreNode Store { get; }

    public IReadOnlyList<SiloNode> Silos => _silos;

    public ClusterControl Control => _control ?? throw new InvalidOperationException("the cluster is not started");

    public static async Task<FaultCluster> StartAsync(Settings settings, RunHistory history, Action<string> log, CancellationToken ct)
    {
        var slot = RunSlot.Claim();
        var layout = new NetworkLayout(slot.Number, settings.Brokers);
        var cluster = new FaultCluster(slot, layout, new StoreNode(layout, Path.Combine(settings.DataRoot, "store"), settings.LogDirectory));
        try
        {
            log($"slot {slot.Number}: bridge {layout.Bridge} {layout.BridgeAddress}, store {layout.StoreAddress}, " +
                $"brokers {layout.BrokerAddress(0)}..{layout.BrokerAddress(settings.Brokers - 1)}");
            cluster.Network.Create();
            await cluster.Store.StartAsync(ct);
            var siloSettings = new SiloNode.Settings(settings.SiloDll, layout, settings.DataRoot, settings.LogDirectory, FaultInjection: true);
            for (var broker = 0; broker < settings.Brokers; broker++) cluster._silos.Add(new SiloNode(broker, siloSettings));
            foreach (var silo in cluster._silos) await StartFirstTimeAsync(silo, log, ct);
            cluster._control = await ClusterControl.ConnectAsync(layout, ct);
            cluster._supervisor = new SiloSupervisor(cluster._silos, history, log).RunAsync(cluster._stopSupervisor.Token);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a silo of the new cluster, one after another: silos starting together on a loaded machine were
    /// declared dead while joining (their peers' probes timed out). One that fails is tried again, as the
    /// supervisor would, which only runs once the cluster is up.
    /// </summary>
    private static async Task StartFirstTimeAsync(SiloNode silo, Action<string> log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await silo.StartAsync(ct);
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException && attempt < FirstStartAttempts)
            {
                log($"broker {silo.Broker} did not start: {e.Message}; trying again");
            }
        }
    }

    public ClusterEndpoints Endpoints(string topic, int partitions, int replicationFactor, int minInsyncReplicas) => new(
        _silos.Select(silo => $"{silo.Address}:{SiloNode.KafkaPort}").ToList(),
        _silos.Select(silo => new IPEndPoint(silo.Address, SiloNode.GatewayPort)).ToList(),
        topic, partitions, replicationFactor, minInsyncReplicas);

    public IReadOnlySet<int> Running => _silos.Where(silo => silo.IsRunning).Select(silo => silo.Broker).ToHashSet();

    /// <summary>Waits until <see cref="ClusterHealth"/> finds nothing missing; null then, else what was still missing after <paramref name="bound"/>.</summary>
    public async Task<string?> WaitHealthyAsync(string topic, int partitions, TimeSpan bound, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var unhealthy = ClusterHealth.Unhealthy(await Control.TryGetTopicAsync(topic), partitions, _silos.Count, Running,
                await Control.TryGetActiveBrokersAsync());
            if (unhealthy is null || DateTime.UtcNow >= deadline) return unhealthy;
            await Task.Delay(HealthPoll, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopSupervisor.CancelAsync();
        try
        {
            await _supervisor;
        }
        catch (OperationCanceledException)
        {
        }
        if (_control is not null) await _control.DisposeAsync();
        Network.Heal();
        await Task.WhenAll(_silos.Select(silo => silo.StopAsync()));
        foreach (var silo in _silos) silo.Dispose();
        Store.Dispose();
        _slot.Dispose();
        _stopSupervisor.Dispose();
    }
}
