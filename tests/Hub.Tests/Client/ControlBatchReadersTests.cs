using System.Text;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Cluster;
using Hub.Tests.Log;
using Hub.Tests.Support;

namespace Hub.Tests.Client;

/// <summary>
/// Transaction markers in a partition's log (written into the log of a stopped silo process, see
/// <see cref="ControlBatches"/>) reach none of the SDK's readers nor <c>hub consume</c>, in either of its modes:
/// each reads exactly the data records around them. The stream provider's readers: ControlBatchStreamTests.
/// </summary>
public sealed class ControlBatchReadersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly byte[] Key = "k"u8.ToArray();

    [Fact]
    public async Task No_SDK_reader_and_no_hub_consume_hands_out_a_control_batch()
    {
        using var data = new TempDirectory();
        var fastGroups = new Dictionary<string, string> { ["HUB_Hub__GroupInitialRebalanceDelay"] = "00:00:00" };
        await using (var first = await SiloProcess.StartAsync(data.Path, environment: fastGroups))
        await using (var client = await first.ConnectAsync())
        {
            await client.Admin.CreateTopicAsync("tx", 1);
            await ProduceAsync(client, "a", "b");
        }
        var markers = ControlBatches.AppendMarkers(data.Path, "tx", 0, Key);
        Assert.Equal([2L, 3], markers);

        await using var silo = await SiloProcess.StartAsync(data.Path, environment: fastGroups);
        await using var hub = await silo.ConnectAsync();
        await ProduceAsync(hub, "c");
        (long, string)[] expected = [(0, "a"), (1, "b"), (4, "c")];

        foreach (var lifetime in new[] { RecordLifetime.Unbounded, RecordLifetime.UntilNextBatch })
        {
            Assert.Equal(expected, await ReadAsync(hub.CreateConsumer(new ConsumerOptions { RecordLifetime = lifetime })));
            Assert.Equal(expected, await ReadBatchesAsync(hub.CreateConsumer(new ConsumerOptions { RecordLifetime = lifetime })));
        }
        await using (var group = hub.CreateGroupConsumer(new GroupConsumerOptions { GroupId = "g", Topics = ["tx"], AutoOffsetReset = AutoOffsetReset.Earliest }))
            Assert.Equal(expected, await TakeAsync(group.ConsumeAsync, 3));
        await using (var keyOrdered = hub.CreateKeyOrderedConsumer(new KeyOrderedConsumerOptions
                     {
                         GroupId = "ko", Topics = ["tx"], AutoOffsetReset = AutoOffsetReset.Earliest, MaxWait = TimeSpan.FromMilliseconds(200),
                     }))
            Assert.Equal(expected, await TakeAsync(keyOrdered.ConsumeAsync, 3));

        Assert.Equal(["a", "b", "c"], await HubCli.OutputLinesAsync(silo, null, Timeout, "consume", "tx", "--from-beginning"));
        Assert.Equal(["a", "b", "c"], await HubCli.OutputLinesAsync(silo, null, Timeout, "consume", "tx", "--from-beginning", "--group", "cli", "--max-records", "3"));
    }

    private static async Task ProduceAsync(HubClient client, params string[] values)
    {
        await using var producer = client.CreateProducer(new ProducerOptions { LingerMs = 1 });
        foreach (var value in values) await producer.ProduceAsync("tx", new ProducerRecord { Key = Key, Value = Encoding.UTF8.GetBytes(value) });
    }

    /// <summary>Its first three records, one at a time (each copied before the next is asked for, as UntilNextBatch requires).</summary>
    private static async Task<List<(long, string)>> ReadAsync(HubConsumer consumer)
    {
        await using (consumer)
        {
            await consumer.AssignAsync("tx", 0, OffsetSpec.Earliest);
            return await TakeAsync(consumer.ConsumeAsync, 3);
        }
    }

    private static async Task<List<(long, string)>> ReadBatchesAsync(HubConsumer consumer)
    {
        await using (consumer)
        {
            await consumer.AssignAsync("tx", 0, OffsetSpec.Earliest);
            using var timeout = new CancellationTokenSource(Timeout);
            var read = new List<(long, string)>();
            await foreach (var batch in consumer.ConsumeBatchesAsync(timeout.Token))
            {
                foreach (var record in batch) read.Add((record.Offset, Encoding.UTF8.GetString(record.Value!.Value.Span)));
                if (consumer.Position("tx", 0) == 5) break;
            }
            return read;
        }
    }

    /// <summary>The first <paramref name="count"/> records a consume loop hands out, as (offset, value).</summary>
    private static async Task<List<(long, string)>> TakeAsync(Func<CancellationToken, IAsyncEnumerable<ConsumeResult>> consume, int count)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var read = new List<(long, string)>();
        await foreach (var result in consume(timeout.Token))
        {
            read.Add((result.Record.Offset, Encoding.UTF8.GetString(result.Record.Value!.Value.Span)));
            if (read.Count == count) break;
        }
        return read;
    }
}
