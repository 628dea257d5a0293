namespace Hub.Tests.Kafka;

/// <summary>
/// <c>@platformatic/kafka</c> 1.x (node, its own protocol code with current versions: OffsetFetch v9, Fetch v17, Produce
/// v11) against the silo's Kafka listener. Issue 20: its group members could not resume, as it speaks only OffsetFetch v8-9.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class PlatformaticKafkaTests(KafkaCluster kafka)
{
    [KafkajsFact]
    public async Task A_second_member_of_the_group_resumes_where_the_first_committed()
    {
        var topic = KafkaCluster.NewTopic("pk-group");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 2);

        var result = await Kafkajs.RunAsync<GroupResume>("platformatic-group", kafka.Bootstrap, topic, KafkaCluster.NewTopic("pk-g"));

        result.AssertEveryRecordOnce();
    }
}
