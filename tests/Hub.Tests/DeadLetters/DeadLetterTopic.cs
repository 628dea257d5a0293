using Hub.Client;
using Hub.Tests.Support;

namespace Hub.Tests.DeadLetters;

/// <summary>Reads a dead-letter topic (one partition, as the policy creates it) back for assertions.</summary>
internal static class DeadLetterTopic
{
    /// <summary>The first <paramref name="count"/> dead letters of partition 0; fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<DeadLetter>> ReadAsync(HubClient client, string topic, int count, TimeSpan timeout) =>
        (await SdkValues.ReadRecordsAsync(client, topic, 0, count, timeout)).Select(r => DeadLetter.Read(r)).ToList();

    /// <summary>The records of a topic's partitions (high watermarks summed), to check that nothing more arrived.</summary>
    public static async Task<long> RecordCountAsync(HubClient client, string topic) =>
        (await client.Admin.DescribeTopicAsync(topic)).Partitions.Sum(p => p.HighWatermark - p.LogStartOffset);
}
