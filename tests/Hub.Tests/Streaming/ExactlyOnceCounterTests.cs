using System.Text;
using Hub.Client;
using Hub.Errors;
using Hub.Streaming.TestHost;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Xunit.Abstractions;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Streaming;

/// <summary>
/// The exactly-once effect across crashes, with real processes: a Hub silo, and an application silo
/// (tests/Hub.Streaming.TestHost) that reaches it through the SDK and sums a topic in counter grains. The
/// application is killed (SIGKILL) at random points while it works and started again on the same disk.
/// </summary>
public sealed class ExactlyOnceCounterTests(ITestOutputHelper output)
{
    private const int Records = 4000;
    private const int Kills = 4;
    private static readonly string[] Keys = ["k0", "k1", "k2", "k3", "k4", "k5"];
    private static readonly string ProviderGroup = $"orleans-streams.{CounterApp.StreamProvider}";

    [Fact]
    public async Task CounterGrains_SummingATopic_AreExact_AfterTheApplicationIsKilledAtRandomPoints()
    {
        using var hubData = new TempDirectory();
        using var appData = new TempDirectory();
        await using var hub = await SiloProcess.StartAsync(hubData.Path);
        await using var hubClient = await hub.ConnectAsync();
        await hubClient.Admin.CreateTopicAsync(CounterApp.Topic, partitions: 2);
        await using (var producer = hubClient.CreateProducer())
        {
            for (var n = 1; n <= Records; n++)
                producer.Produce(CounterApp.Topic, new ProducerRecord { Key = Encoding.UTF8.GetBytes(KeyOf(n)), Value = Encoding.UTF8.GetBytes($"{n}") });
            await producer.FlushAsync();
        }

        var seed = Environment.TickCount;
        output.WriteLine($"random seed {seed}");
        var random = new Random(seed);
        var app = await StartAppAsync(hub, appData.Path);
        try
        {
            for (var kill = 1; kill <= Kills; kill++)
            {
                // The kill point: once the application has applied more records than before (so every kill
                // falls into the work, however fast this machine is today), plus a random moment.
                var applied = await WaitForAppliedAsync(app, kill * Records / (Kills + 1));
                await Task.Delay(random.Next(0, 500));
                await app.KillAsync();
                output.WriteLine($"kill {kill}: after {applied}+ records applied, the provider's committed lag was {await LagAsync(hubClient)}");
                await app.DisposeAsync();
                app = await StartAppAsync(hub, appData.Path);
            }

            await WaitForAppliedAsync(app, Records);
            await using var appClient = await ConnectAsync(app);
            foreach (var key in Keys)
            {
                var counter = await appClient.Grains.GetGrain<ICounterGrain>(key).Get();
                var numbers = Enumerable.Range(1, Records).Where(n => KeyOf(n) == key).ToList();
                Assert.Equal(numbers.Count, counter.Count);
                Assert.Equal(numbers.Sum(n => (long)n), counter.Sum);
            }
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static string KeyOf(int n) => Keys[n % Keys.Length];

    /// <summary>Waits until the counters together applied at least <paramref name="records"/> records; returns how many they had.</summary>
    private static async Task<long> WaitForAppliedAsync(SiloProcess app, long records)
    {
        await using var client = await ConnectAsync(app);
        var counters = Keys.Select(k => client.Grains.GetGrain<ICounterGrain>(k)).ToList();
        var applied = 0L;
        await WaitUntilAsync(async () => (applied = (await Task.WhenAll(counters.Select(c => c.Get()))).Sum(c => c.Count)) >= records,
            $"the counters applied {records} records", TimeSpan.FromSeconds(120));
        return applied;
    }

    /// <summary>A client of the application cluster (HubClient's connection works for any Orleans cluster).</summary>
    private static Task<HubClient> ConnectAsync(SiloProcess app) => HubClient.ConnectAsync(new HubClientOptions
    {
        Gateways = [$"localhost:{app.GatewayPort}"],
        ClusterId = CounterApp.ClusterId,
        ServiceId = CounterApp.ClusterId,
    });

    private static Task<SiloProcess> StartAppAsync(SiloProcess hub, string dataDirectory)
    {
        var gatewayPort = SiloProcess.FreePort();
        return SiloProcess.StartProgramAsync(SiloProcess.BuiltDll("tests/Hub.Streaming.TestHost", "Hub.Streaming.TestHost"),
        [
            "--HubGateway", $"localhost:{hub.GatewayPort}", "--DataDirectory", dataDirectory,
            "--SiloPort", $"{SiloProcess.FreePort()}", "--GatewayPort", $"{gatewayPort}",
        ], gatewayPort);
    }

    /// <summary>Records of the topic not yet committed by the provider's group (all of them before its first commit).</summary>
    private static async Task<long> LagAsync(HubClient hub)
    {
        try
        {
            var group = await hub.Admin.DescribeGroupAsync(ProviderGroup);
            return group.Partitions.Sum(p => p.Lag ?? p.LogEndOffset ?? 0);
        }
        catch (HubException e) when (e.Code == ErrorCode.GroupIdNotFound)
        {
            return Records;
        }
    }
}
