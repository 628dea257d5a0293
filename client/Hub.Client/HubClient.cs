using System.Net.Sockets;
using Hub.Client.Connection;
using Hub.Client.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Hub.Client;

/// <summary>
/// Entry point of the SDK: a connection to a Hub cluster, from which come an admin, producers and consumers.
/// They share one cache of topic metadata.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly PartitionRouter _router;
    private readonly IGrainFactory _grains;

    // The Orleans client host, when this HubClient made it; null when it borrowed a grain factory.
    private readonly IHost? _host;
    private int _disposed;

    private HubClient(IGrainFactory grains, IHost? host)
    {
        _router = new PartitionRouter(grains, TimeProvider.System);
        _grains = grains;
        _host = host;
        Admin = new HubAdmin(grains, _router);
        Users = new HubUsers(grains);
        Acls = new HubAcls(grains);
        Transactions = new HubTransactions(grains, _router);
    }

    public HubAdmin Admin { get; }

    /// <summary>The cluster's SASL users (SCRAM credentials) that Kafka clients authenticate as.</summary>
    public HubUsers Users { get; }

    /// <summary>The cluster's ACLs, checked against Kafka requests when the silos have authorization on.</summary>
    public HubAcls Acls { get; }

    /// <summary>The cluster's Kafka transactions and the producers its partitions remember.</summary>
    public HubTransactions Transactions { get; }

    internal IGrainFactory Grains => _grains;

    internal PartitionRouter Router => _router;

    /// <summary>
    /// Starts an Orleans client against the given gateways and connects, retrying until ConnectTimeout.
    /// Throws <see cref="HubConnectionException"/> when no gateway answers in that time.
    /// </summary>
    public static async Task<HubClient> ConnectAsync(HubClientOptions? options = null, CancellationToken ct = default)
    {
        options ??= new HubClientOptions();
        var target = string.Join(", ", options.Gateways);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        // The first failure says why (connection refused, ...); later ones may only say the gateway is marked dead.
        Exception? firstFailure = null;

        System.Net.IPEndPoint[] endpoints;
        try
        {
            endpoints = await GatewayEndpoints.ResolveAsync(options.Gateways, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or FormatException or ArgumentException)
        {
            throw new HubConnectionException($"cannot reach Hub at {target}: {e.Message}", e);
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client
            .UseGatewayTls(options)
            .UseHubCredentials(options)
            .UseStaticClustering(endpoints)
            .Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            })
            .UseConnectionRetryFilter(async (failure, _) =>
            {
                firstFailure ??= failure;
                try
                {
                    await Task.Delay(ConnectRetryDelay, timeout.Token).ConfigureAwait(false);
                    return true;
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }));
        var host = builder.Build();
        try
        {
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            host.Dispose();
            var cause = firstFailure ?? e;
            throw new HubConnectionException($"cannot reach Hub at {target}: {cause.GetBaseException().Message}", cause);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new HubClient(host.Services.GetRequiredService<IClusterClient>(), host);
    }

    /// <summary>
    /// A client over an existing grain factory: a silo's own, or an <see cref="IClusterClient"/> the caller
    /// manages. Disposing it leaves the factory alone.
    /// </summary>
    public static HubClient FromGrainFactory(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return new HubClient(grains, host: null);
    }

    public HubProducer CreateProducer(ProducerOptions? options = null) =>
        new(_router, options ?? new ProducerOptions(), TimeProvider.System);

    public HubConsumer CreateConsumer(ConsumerOptions? options = null) =>
        new(_router, options ?? new ConsumerOptions());

    /// <summary>
    /// Joins the consumer group <see cref="GroupConsumerOptions.GroupId"/> and reads its share of the topics'
    /// partitions; the membership runs in the background from now until the consumer is disposed.
    /// </summary>
    public HubGroupConsumer CreateGroupConsumer(GroupConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HubGroupConsumer(_grains, _router, options);
    }

    /// <summary>
    /// Joins <see cref="KeyOrderedConsumerOptions.GroupId"/> in key-ordered parallel mode: any number of
    /// consumers share every partition, each key processed by one consumer at a time in offset order.
    /// </summary>
    public HubKeyOrderedConsumer CreateKeyOrderedConsumer(KeyOrderedConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HubKeyOrderedConsumer(_grains, _router, options);
    }

    /// <summary>Stops the Orleans client if this HubClient started it. Dispose producers first, so they flush.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is null || Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
