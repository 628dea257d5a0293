using Hub.Benchmarks.Load;

namespace Hub.Benchmarks.Scenarios;

/// <summary>Consumer groups on a 16-partition topic of 100-byte records: one group of 4 members, and 4 groups fanning out.</summary>
public static class GroupScenarios
{
    private const int Partitions = 16;
    private const int Members = 4;
    private const int FanOutGroups = 4;

    public static async Task RunAsync(BenchContext context)
    {
        var records = context.Options.Records100;
        var (topic, _) = await context.FilledTopicAsync(Sizes.Small, Partitions, records);

        var group = await GroupLoad.ConsumeAsync(context.Client, topic, records, groups: 1, members: Members, context.SiloPids);
        context.Add($"consumer group of {Members}, 100 B, {Partitions} partitions", group.RecordsPerSecond, "records/s",
            "from the first record, rebalances included; " + group.CostSummary(),
            context.Peers.Compare(group.RecordsPerSecond, "Redis XREADGROUP + XACK, COUNT 1000", "redis-streams", "consume-xreadgroup-count1000-xack", "records/s"));

        var fanOut = await GroupLoad.ConsumeAsync(context.Client, topic, records, groups: FanOutGroups, members: 1, context.SiloPids);
        context.Add($"fan-out to {FanOutGroups} groups, 100 B, {Partitions} partitions", fanOut.RecordsPerSecond, "records/s",
            $"records delivered, all groups together; " + fanOut.CostSummary());
    }
}
