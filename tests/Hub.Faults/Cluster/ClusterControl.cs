using System.Net;
using Hub.Errors;
using Hub.Grains;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Hub.Faults.Cluster;

/// <summary>
/// The runner's own Orleans client, for what the faults need to know: the topic's assignment as the controller
/// stores it (leaders, replicas, ISR), and which silo the controller's activation lives on (asked of Orleans'
/// management grain, which reads the grain directory). Every call is bounded: during a fault the controller
/// may not answer.
/// </summary>
internal sealed class ClusterControl : IAsyncDisposable
{
    /// <summary>Longer than a failover (a few seconds), short enough that a fault is not held up for long.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Silos started together join one by one; on a loaded machine that takes a minute or more.</summary>
    private static readonly TimeSpan CreateTopicBound = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan CreateTopicRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The grain type of Hub's transaction coordinators (the silo's internal TransactionCoordinatorGrain): Orleans names
    /// a grain type after its class, lowercased, without "Grain". The runner has no reference to the silo's internals.
    /// </summary>
    private const string TransactionCoordinatorGrainType = "transactioncoordinator";

    private readonly IHost _host;
    private readonly IClusterClient _client;
    private readonly NetworkLayout _layout;

    private ClusterControl(IHost host, NetworkLayout layout)
    {
        _host = host;
        _client = host.Services.GetRequiredService<IClusterClient>();
        _layout = layout;
    }

    public static async Task<ClusterControl> ConnectAsync(NetworkLayout layout, CancellationToken ct)
    {
        var gateways = Enumerable.Range(0, layout.Brokers).Select(b => new IPEndPoint(layout.BrokerAddress(b), SiloNode.GatewayPort)).ToArray();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client
            .UseStaticClustering(gateways)
            .Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = ("hub", "hub"))
            .UseConnectionRetryFilter(async (_, token) =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), token);
                return true;
            }));
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ClusterControl(host, layout);
    }

    private IClusterControllerGrain Controller => _client.GetGrain<IClusterControllerGrain>(0);

    /// <summary>
    /// Creates the topic, trying again while the controller does not count enough brokers live yet (it refuses a
    /// replication factor above them) or does not answer in time.
    /// </summary>
    public async Task CreateTopicAsync(string name, int partitions, short replicationFactor, int minInsyncReplicas, CancellationToken ct)
    {
        var configs = new Dictionary<string, string> { ["min.insync.replicas"] = $"{minInsyncReplicas}" };
        var deadline = DateTime.UtcNow + CreateTopicBound;
        while (true)
        {
            try
            {
                await Controller.CreateTopic(name, partitions, configs, replicationFactor).WaitAsync(CallTimeout, ct);
                return;
            }
            catch (HubException e) when (e.Code == ErrorCode.TopicAlreadyExists)
            {
                return; // a try that timed out created it
            }
            catch (Exception e) when (e is HubException { Code: ErrorCode.InvalidReplicationFactor } or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(CreateTopicRetryDelay, ct);
            }
        }
    }

    /// <summary>The topic as the controller holds it; null when it does not answer in time.</summary>
    public async Task<TopicMetadata?> TryGetTopicAsync(string name)
    {
        try
        {
            return await Controller.GetTopic(name).WaitAsync(CallTimeout);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>The broker whose silo holds the controller's activation; null when that is not known now.</summary>
    public Task<int?> TryFindControllerAsync() => TryFindSiloOfAsync(Controller);

    /// <summary>
    /// The broker whose silo holds the coordinator of <paramref name="transactionalId"/> (its grain, silo/Transactions);
    /// null when it is not active now (it activates where the id's next request needs it) or the directory does not answer.
    /// </summary>
    public Task<int?> TryFindTransactionCoordinatorAsync(string transactionalId) =>
        TryFindSiloOfAsync(_client.GetGrain(GrainId.Create(TransactionCoordinatorGrainType, transactionalId)));

    /// <summary>The broker whose silo holds the grain's activation, as the grain directory says; null when none or no answer.</summary>
    private async Task<int?> TryFindSiloOfAsync(IAddressable grain)
    {
        try
        {
            var silo = await _client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain).AsTask().WaitAsync(CallTimeout);
            if (silo is null) return null;
            var broker = _layout.BrokerAt(silo.Endpoint.Address);
            return broker < 0 ? null : broker;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>
    /// The brokers whose silo cluster membership lists as active; null when nobody answers. A silo declared dead
    /// (paused or cut off too long) may still run until it learns so, but it serves nothing.
    /// </summary>
    public async Task<IReadOnlySet<int>?> TryGetActiveBrokersAsync()
    {
        try
        {
            var hosts = await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(CallTimeout);
            return hosts.Keys.Select(silo => _layout.BrokerAt(silo.Endpoint.Address)).Where(broker => broker >= 0).ToHashSet();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping a client whose gateways are gone may not finish; the process ends anyway.
        }
        _host.Dispose();
    }
}
