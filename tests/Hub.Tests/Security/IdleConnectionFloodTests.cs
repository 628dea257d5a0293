using System.Diagnostics;
using System.Net.Sockets;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>10,000 idle Kafka connections to a silo process: it keeps answering, and each costs it kilobytes.</summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class IdleConnectionFloodTests
{
    private const int IdleConnections = 10_000;

    /// <summary>
    /// What 10,000 idle connections may add to the silo's resident memory: about 20 KiB each (socket, task, session).
    /// (It does not tell whether idle reads hold a buffer: a fresh, untouched 64 KiB buffer is committed but not resident.)
    /// </summary>
    private const long MaxGrowthBytes = 200L * 1024 * 1024;

    [Fact]
    public async Task Ten_thousand_idle_connections_leave_the_silo_responsive_with_bounded_memory()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["HUB_Hub__KafkaMaxConnections"] = $"{IdleConnections + 100}",
        });
        var bootstrap = $"127.0.0.1:{silo.KafkaPort}";
        using (var warm = await RawKafkaConnection.ConnectAsync(bootstrap))
        {
            await warm.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
            Assert.NotNull(await warm.ReceiveAsync());
        }
        var before = ResidentBytes(silo.ProcessId);

        var idle = new List<Socket>(IdleConnections);
        try
        {
            for (var batch = 0; batch < IdleConnections; batch += 500)
            {
                var connecting = Enumerable.Range(0, 500).Select(async _ =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync("127.0.0.1", silo.KafkaPort);
                    return socket;
                }).ToList();
                idle.AddRange(await Task.WhenAll(connecting));
            }

            var answered = Stopwatch.StartNew();
            using var probe = await RawKafkaConnection.ConnectAsync(bootstrap);
            await probe.SendAsync(ApiKey.ApiVersions, 0, 2, RequestBodies.ApiVersions(0));
            Assert.NotNull(await probe.ReceiveAsync());
            Assert.True(answered.Elapsed < TimeSpan.FromSeconds(5), $"a request took {answered.Elapsed} beside {IdleConnections} idle connections");

            var growth = ResidentBytes(silo.ProcessId) - before;
            Assert.True(growth < MaxGrowthBytes, $"{IdleConnections} idle connections grew the silo by {growth / (1024 * 1024)} MiB");
        }
        finally
        {
            foreach (var socket in idle) socket.Dispose();
        }
    }

    private static long ResidentBytes(int processId) =>
        long.Parse(File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
