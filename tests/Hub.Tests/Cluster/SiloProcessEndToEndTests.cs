using System.Buffers.Binary;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Support;

namespace Hub.Tests.Cluster;

/// <summary>The real silo process, as ./run.sh starts it, driven through the SDK over TCP.</summary>
public sealed class SiloProcessEndToEndTests
{
    private const int RecordCount = 100_000;
    private const int Partitions = 4;
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Records_survive_a_silo_restart_in_order()
    {
        using var data = new TempDirectory();
        IReadOnlyList<long>[] firstRead;

        await using (var silo = await SiloProcess.StartAsync(data.Path))
        {
            await using var client = await silo.ConnectAsync();
            await client.Admin.CreateTopicAsync("e2e", Partitions);
            await using (var producer = client.CreateProducer())
            {
                for (var i = 0; i < RecordCount; i++)
                    producer.Produce("e2e", new ProducerRecord { Key = Key(i), Value = Value(i) });
                await producer.FlushAsync();
            }
            firstRead = await ReadAll(client);
            await silo.StopAsync();
        }

        AssertEveryRecordOnceInKeyOrder(firstRead);

        await using (var silo = await SiloProcess.StartAsync(data.Path))
        {
            await using var client = await silo.ConnectAsync();
            Assert.Contains("e2e", (await client.Admin.ListTopicsAsync()).Select(t => t.Name));
            var secondRead = await ReadAll(client);
            for (var p = 0; p < Partitions; p++) Assert.Equal(firstRead[p], secondRead[p]);
        }
    }

    private static byte[] Key(int i) => BitConverter.GetBytes(i % 97);

    private static byte[] Value(int i)
    {
        var value = new byte[100];
        BinaryPrimitives.WriteInt64BigEndian(value, i);
        return value;
    }

    /// <summary>Every value of every partition, in offset order.</summary>
    private static async Task<IReadOnlyList<long>[]> ReadAll(HubClient client)
    {
        var values = Enumerable.Range(0, Partitions).Select(_ => new List<long>()).ToArray();
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAllAsync("e2e", OffsetSpec.Earliest);
        using var timeout = new CancellationTokenSource(ConsumeTimeout);
        var seen = 0;
        var lastOffset = Enumerable.Repeat(-1L, Partitions).ToArray();
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            Assert.Equal(lastOffset[result.Partition] + 1, result.Record.Offset);
            lastOffset[result.Partition] = result.Record.Offset;
            values[result.Partition].Add(BinaryPrimitives.ReadInt64BigEndian(result.Record.Value!.Value.Span));
            if (++seen == RecordCount) break;
        }
        return values;
    }

    private static void AssertEveryRecordOnceInKeyOrder(IReadOnlyList<long>[] partitions)
    {
        var all = partitions.SelectMany(p => p).ToArray();
        Assert.Equal(RecordCount, all.Length);
        Assert.Equal(RecordCount, all.Distinct().Count());
        foreach (var partition in partitions)
        {
            // Records of one key sit in one partition in the order they were produced.
            foreach (var key in partition.GroupBy(v => v % 97))
                Assert.True(key.SequenceEqual(key.Order()), $"key {key.Key} out of order");
        }
    }
}
