namespace Hub.Tests.Kafka;

/// <summary>
/// <c>@platformatic/kafka</c> 1.x (node, its own protocol code with current versions: OffsetFetch v9, Fetch v17, Produce
/// v11) against the silo's Kafka listener. Issue 20: its group members could not resume, as it speaks only OffsetFetch v8-9.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class PlatformaticKafkaTests(KafkaCluster kafka)
{
    private sealed record Consumed(int Partition, long Offset, string Value);

    private sealed record GroupResult(Consumed[] First, Consumed[] Second);

    [KafkajsFact]
    public async Task A_second_member_of_the_group_resumes_where_the_first_committed()
    {
        var topic = KafkaCluster.NewTopic("pk-group");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 2);

        var result = await Kafkajs.RunAsync<GroupResult>("platformatic-group", kafka.Bootstrap, topic, KafkaCluster.NewTopic("pk-g"));

        Assert.Equal(6, result.First.Length);
        Assert.Equal(4, result.Second.Length);
        var all = result.First.Concat(result.Second).ToList();
        // Every record once: nothing the first member committed was read again, nothing was skipped.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}").Order(), all.Select(c => c.Value).Order());
        foreach (var partition in all.GroupBy(c => c.Partition))
            Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), partition.Select(c => c.Offset));
    }
}
