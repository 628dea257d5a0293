using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>
/// InitProducerId without a transactional id, on the wire: every request gets a fresh producer id, whatever id
/// and epoch it carries (issue 14 item 8: the sent id's epoch was bumped, so two clients sending 0/0, as
/// <c>@platformatic/kafka</c> does, shared id 0 and the second one's batch was acknowledged as a duplicate, never stored).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class InitProducerIdTests(KafkaCluster kafka)
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Two_requests_that_send_producer_id_0_epoch_0_get_different_fresh_ids(short version)
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var first = await InitProducerIdAsync(connection, version, producerId: 0, epoch: 0);
        var second = await InitProducerIdAsync(connection, version, producerId: 0, epoch: 0);

        Assert.Equal(0, first.Epoch);
        Assert.Equal(0, second.Epoch);
        Assert.True(first.ProducerId >= 0 && second.ProducerId >= 0, $"ids {first.ProducerId}, {second.ProducerId}");
        Assert.NotEqual(first.ProducerId, second.ProducerId);
    }

    [Fact]
    public async Task Two_idempotent_producers_that_both_start_from_0_0_each_have_their_records_stored()
    {
        var topic = KafkaCluster.NewTopic("pid00");
        await kafka.Cluster.Grains.GetGrain<IClusterControllerGrain>(0).CreateTopic(topic, 1);
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var a = await InitProducerIdAsync(connection, 5, producerId: 0, epoch: 0);
        var b = await InitProducerIdAsync(connection, 5, producerId: 0, epoch: 0);

        // Each producer's first batch: sequence 0, two records.
        Assert.Equal(((short)ErrorCode.None, 0L), await connection.ProduceAsync(topic, IdempotentBatches.Create(a.ProducerId, a.Epoch, 0, records: 2)));
        Assert.Equal(((short)ErrorCode.None, 2L), await connection.ProduceAsync(topic, IdempotentBatches.Create(b.ProducerId, b.Epoch, 0, records: 2)));

        var stored = await kafka.StoredBatchesAsync(topic);
        Assert.Equal([(0L, a.ProducerId, 2), (2L, b.ProducerId, 2)], stored.Select(h => (h.BaseOffset, h.ProducerId, h.RecordCount)));
    }

    private static async Task<(long ProducerId, short Epoch)> InitProducerIdAsync(RawKafkaConnection connection, short version, long producerId, short epoch)
    {
        await connection.SendAsync(ApiKey.InitProducerId, version, 7, RequestBodies.InitProducerId(version, producerId, epoch), flexibleHeader: true);
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        var reader = new ProtocolReader(response, flexible: true);
        Assert.Equal(7, reader.ReadInt32());
        reader.SkipTaggedFields(); // response header v1
        reader.ReadInt32(); // throttle time
        Assert.Equal((short)ErrorCode.None, reader.ReadInt16());
        return (reader.ReadInt64(), reader.ReadInt16());
    }
}
