using System.Diagnostics;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Security;

/// <summary>
/// Connections that send nothing, never authenticate or trickle a request are closed; the silo's request budget and
/// connection limits hold.
/// </summary>
public sealed class ConnectionDeadlineTests : IAsyncLifetime
{
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(2);
    private const int MaxConnectionsPerIp = 8;

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["KafkaListeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
        ["KafkaConnectionsMaxIdle"] = MaxIdle.ToString(),
        ["KafkaMaxConnectionsPerIp"] = $"{MaxConnectionsPerIp}",
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string Bootstrap(string listener) => $"127.0.0.1:{_cluster.SiloServices.GetRequiredService<KafkaListeners>().EndPointOf(listener)!.Port}";

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_limit()
    {
        // Timed from before the connect: the silo's idle clock starts at its accept, which a loaded machine may
        // run well before ConnectAsync returns here.
        var idle = Stopwatch.StartNew();
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT"));

        Assert.True(await connection.IsClosedByPeerAsync());
        Assert.True(idle.Elapsed >= MaxIdle - TimeSpan.FromMilliseconds(100), $"closed after {idle.Elapsed}");
    }

    [Fact]
    public async Task A_connection_that_keeps_sending_requests_stays_open_past_the_idle_limit()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT"));
        var open = Stopwatch.StartNew();
        for (var correlationId = 1; open.Elapsed < 2 * MaxIdle; correlationId++)
        {
            await connection.SendAsync(ApiKey.ApiVersions, 0, correlationId, RequestBodies.ApiVersions(0));
            Assert.NotNull(await connection.ReceiveAsync());
            await Task.Delay(MaxIdle / 5); // the client's pace, well inside the limit
        }
    }

    [Fact]
    public async Task A_connection_that_never_authenticates_is_closed()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap("SASL_PLAINTEXT"));
        await connection.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
        Assert.NotNull(await connection.ReceiveAsync());

        Assert.True(await connection.IsClosedByPeerAsync());
    }

    [Fact]
    public async Task Connections_past_the_per_address_limit_are_closed_at_once()
    {
        var open = new List<RawKafkaConnection>();
        try
        {
            // The other tests' connections of this class come and go too: fill up to the limit, then one more.
            for (var i = 0; i < MaxConnectionsPerIp; i++) open.Add(await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT")));
            using var over = await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT"));
            await over.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
            Assert.True(await over.IsClosedByPeerAsync());
        }
        finally
        {
            foreach (var connection in open) connection.Dispose();
        }
    }
}

/// <summary>The receive timeout and the silo's request budget, with the idle limit at its default of minutes.</summary>
public sealed class RequestReceiveTimeoutTests : IAsyncLifetime
{
    private const int MaxRequestBytes = 1024 * 1024;

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["KafkaRequestReceiveTimeout"] = "00:00:01",
        ["KafkaMaxRequestBytes"] = $"{MaxRequestBytes}",
        ["KafkaMaxBufferedRequestBytes"] = $"{MaxRequestBytes}",
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string Bootstrap(string listener) => _cluster.KafkaBootstrap;

    [Fact]
    public async Task A_client_trickling_a_request_is_closed_after_the_receive_timeout_and_frees_the_budget_it_held()
    {
        using var slow = await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT"));
        // A frame as large as the whole budget, of which only the size and a few bytes come.
        await slow.SendRawAsync(new byte[] { 0, 0x10, 0, 0, 0, 18, 0, 0 });
        using var waiting = await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT"));
        await waiting.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));

        Assert.True(await slow.IsClosedByPeerAsync());
        Assert.NotNull(await waiting.ReceiveAsync()); // answered once the trickler's bytes went back
    }
}
