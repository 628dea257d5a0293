using Hub.Client;
using Hub.Partitions;

namespace Hub.Tests.DeadLetters;

/// <summary>Reads a dead-letter topic (one partition, as the policy creates it) back for assertions.</summary>
internal static class DeadLetterTopic
{
    /// <summary>The first <paramref name="count"/> dead letters of partition 0 with their offsets; fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<DeadLetter>> ReadAsync(HubClient client, string topic, int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAsync(topic, 0, OffsetSpec.Earliest, cancel.Token);
        var letters = new List<DeadLetter>();
        if (count == 0) return letters;
        await foreach (var result in consumer.ConsumeAsync(cancel.Token))
        {
            letters.Add(DeadLetter.Read(result.Record));
            if (letters.Count == count) break;
        }
        return letters;
    }

    /// <summary>The records of a topic's partitions (high watermarks summed), to check that nothing more arrived.</summary>
    public static async Task<long> RecordCountAsync(HubClient client, string topic) =>
        (await client.Admin.DescribeTopicAsync(topic)).Partitions.Sum(p => p.HighWatermark - p.LogStartOffset);
}
