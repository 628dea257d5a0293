using Hub.Batches;
using Hub.Client;
using Hub.Tests.Cluster;

namespace Hub.Tests.Groups;

/// <summary>Settings and helpers shared by the consumer group tests.</summary>
internal static class GroupTesting
{
    /// <summary>Bound on every wait; tests normally finish far below it.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Silo settings for quick groups: short sessions allowed, no initial rebalance delay; consumer-protocol members
    /// heartbeat every 100 ms and time out after <see cref="SessionTimeout"/>, as classic test members do.
    /// </summary>
    public static Dictionary<string, string> FastGroups(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["GroupMinSessionTimeout"] = "00:00:00.100",
            ["GroupInitialRebalanceDelay"] = "00:00:00",
            ["ConsumerGroupHeartbeatInterval"] = "00:00:00.100",
            ["ConsumerGroupSessionTimeout"] = SessionTimeout.ToString(),
        };
        foreach (var (name, value) in more) settings[name] = value;
        return settings;
    }

    /// <summary>Session timeout of test members: a crash is noticed within it.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A member that notices rebalances within a tenth of a second and auto-commits five times a second.</summary>
    public static GroupConsumerOptions Options(string group, string topic, string? assignor = null,
        AutoOffsetReset reset = AutoOffsetReset.Earliest, bool autoCommit = true, GroupMembershipProtocol protocol = GroupMembershipProtocol.Consumer) => new()
    {
        GroupId = group,
        Protocol = protocol,
        Topics = [topic],
        AutoOffsetReset = reset,
        SessionTimeout = SessionTimeout,
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        EnableAutoCommit = autoCommit,
        AutoCommitInterval = TimeSpan.FromMilliseconds(200),
        Assignor = assignor,
        Fetch = new ConsumerOptions { MaxWaitMs = 200 },
    };

    /// <summary>Waits for a condition, checking it often, and fails with <paramref name="what"/> when it doesn't hold in time.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Bound);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Produces <paramref name="count"/> records keyed "k{i % 13}" with value "i" and waits until all are written.</summary>
    public static async Task ProduceAsync(HubClient client, string topic, int count, int first = 0, CompressionType compression = CompressionType.None)
    {
        await using var producer = client.CreateProducer(new ProducerOptions { LingerMs = 1, CompressionType = compression });
        for (var i = first; i < first + count; i++)
            producer.Produce(topic, new ProducerRecord { Key = System.Text.Encoding.UTF8.GetBytes($"k{i % 13}"), Value = System.Text.Encoding.UTF8.GetBytes($"{i}") });
        await producer.FlushAsync();
    }
}

/// <summary>One quick-groups cluster shared by a test class whose tests use groups and topics of their own.</summary>
public sealed class GroupClusterFixture : IAsyncLifetime
{

    public HubTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(settings: GroupTesting.FastGroups());

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
