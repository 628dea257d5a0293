using System.Diagnostics;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Security;

/// <summary>Connections that send nothing, or never authenticate, are closed (Kafka's connections.max.idle.ms).</summary>
public sealed class ConnectionDeadlineTests : IAsyncLifetime
{
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(2);

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
    {
        ["KafkaListeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
        ["KafkaConnectionsMaxIdle"] = MaxIdle.ToString(),
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string Bootstrap(string listener) => $"127.0.0.1:{_cluster.SiloServices.GetRequiredService<KafkaListeners>().EndPointOf(listener)!.Port}";

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_limit()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap("PLAINTEXT"));
        var idle = Stopwatch.StartNew();

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
}
