using System.Text;
using Hub.Client;
using Hub.Partitions;

namespace Hub.Tests.Support;

/// <summary>What the SDK consumer reads from a topic's partition 0, as UTF-8 values.</summary>
internal static class SdkValues
{
    /// <summary>The first <paramref name="count"/> values from the earliest offset on; fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<string>> ReadAsync(HubClient client, string topic, int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAsync(topic, 0, OffsetSpec.Earliest, cancel.Token);
        var values = new List<string>();
        await foreach (var result in consumer.ConsumeAsync(cancel.Token))
        {
            values.Add(Encoding.UTF8.GetString(result.Record.Value!.Value.Span));
            if (values.Count == count) break;
        }
        return values;
    }
}
