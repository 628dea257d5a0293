using System.Text;
using Hub.Client;
using Hub.Partitions;
using Record = Hub.Batches.Record;

namespace Hub.Tests.Support;

/// <summary>What the SDK consumer reads from a topic's partition, as UTF-8 values or as records.</summary>
internal static class SdkValues
{
    /// <summary>The first <paramref name="count"/> values of partition 0 from the earliest offset on; fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<string>> ReadAsync(HubClient client, string topic, int count, TimeSpan timeout) =>
        (await ReadRecordsAsync(client, topic, 0, count, timeout)).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)).ToList();

    /// <summary>
    /// The first <paramref name="count"/> records of <paramref name="partition"/> from the earliest offset on; fails after
    /// <paramref name="timeout"/>. Their bytes are slices of fetched arrays, which outlive the consumer.
    /// </summary>
    public static async Task<List<Record>> ReadRecordsAsync(HubClient client, string topic, int partition, int count, TimeSpan timeout)
    {
        var records = new List<Record>();
        if (count == 0) return records;
        using var cancel = new CancellationTokenSource(timeout);
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAsync(topic, partition, OffsetSpec.Earliest, cancel.Token);
        await foreach (var result in consumer.ConsumeAsync(cancel.Token))
        {
            records.Add(result.Record);
            if (records.Count == count) break;
        }
        return records;
    }
}
