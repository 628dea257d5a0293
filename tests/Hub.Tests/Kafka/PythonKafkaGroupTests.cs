using System.Text.Json;
using Hub.Tests.Security;

namespace Hub.Tests.Kafka;

/// <summary>
/// kafka-python 2.0.2 (Debian's python3-kafka, its own protocol code: Fetch v4, the v1-v3 group APIs) in a consumer group
/// (issue 20: its consumer once never received a record, for Fetch v4's extra log_start_offset bytes).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class PythonKafkaGroupTests(KafkaCluster kafka)
{
    [PythonKafkaFact]
    public async Task A_second_member_of_the_group_resumes_where_the_first_committed()
    {
        var topic = KafkaCluster.NewTopic("py-group");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 2);

        var run = await PythonKafka.GroupAsync(kafka.Bootstrap, topic, KafkaCluster.NewTopic("py-g"));

        Assert.True(run.ExitCode == 0, $"group.py failed ({run.ExitCode}):\n{run.Errors}");
        var result = JsonSerializer.Deserialize<GroupResume>(run.Output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        result.AssertEveryRecordOnce();
    }
}
