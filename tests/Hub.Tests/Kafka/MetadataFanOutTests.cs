using System.Diagnostics;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>
/// A Metadata request naming 10 million topics, over real TCP: one controller call at most, nothing kept per name,
/// and a bystander answered meanwhile. It counts the process's allocations, so it runs alone.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed class MetadataFanOutTests(CountedKafkaCluster kafka) : IClassFixture<CountedKafkaCluster>, IDisposable
{
    /// <summary>
    /// The next test of the collection measures allocations too: the gigabyte of garbage goes now, and with it the
    /// memory pressure that would make the shared array pool drop buffers that test's consumer reuses.
    /// </summary>
    public void Dispose()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private string Bootstrap => kafka.Cluster.KafkaBootstrap;

    [Fact]
    public async Task A_metadata_request_naming_10_million_topics_costs_one_controller_call_and_leaves_the_silo_responsive()
    {
        const int Names = 10_000_000;
        var topic = KafkaCluster.NewTopic("named");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        using var attacker = await RawKafkaConnection.ConnectAsync(Bootstrap);
        var frame = RawKafkaConnection.Frame(ApiKey.Metadata, 4, 7, MetadataBody(Names, named: (Names / 2, topic)));
        using var bystander = await RawKafkaConnection.ConnectAsync(Bootstrap);

        GrainCallCounter.Reset();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await attacker.SendRawAsync(frame);
        var answered = Stopwatch.StartNew();
        await bystander.SendAsync(ApiKey.Metadata, 1, 8, RequestBodies.Metadata(1, topic));
        Assert.NotNull(await bystander.ReceiveAsync(RequestLimitsTests.Responsive));
        Assert.InRange(answered.Elapsed, TimeSpan.Zero, RequestLimitsTests.Responsive);

        var response = await attacker.ReceiveAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(response);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var reader = new ProtocolReader(response);
        Assert.Equal(7, reader.ReadInt32());
        reader.ReadInt32(); // throttle time
        for (var brokers = reader.ReadArrayLength(); brokers > 0; brokers--)
        {
            reader.ReadInt32();
            reader.ReadString();
            reader.ReadInt32();
            reader.ReadNullableString();
        }
        reader.ReadNullableString(); // cluster id
        reader.ReadInt32(); // controller id
        Assert.Equal(Names, reader.ReadArrayLength());
        var errors = new Dictionary<short, int>();
        var found = -1;
        for (var i = 0; i < Names; i++)
        {
            var error = reader.ReadInt16();
            reader.ReadNullableStringBytes();
            reader.ReadBool(); // internal
            var partitions = reader.ReadArrayLength();
            for (var p = 0; p < partitions; p++)
            {
                reader.ReadInt16();
                reader.ReadInt32();
                reader.ReadInt32();
                for (var list = 0; list < 2; list++)
                    for (var replicas = reader.ReadArrayLength(); replicas > 0; replicas--) reader.ReadInt32();
            }
            if (partitions > 0) found = i;
            errors[error] = errors.GetValueOrDefault(error) + 1;
        }
        Assert.Equal(Names / 2, found);
        Assert.Equal(new Dictionary<short, int> { [0] = 1, [3] = Names - 1 }, errors); // UNKNOWN_TOPIC_OR_PARTITION for the rest

        // The bystander's and the attacker's lookups: one controller call each at most. Not GetTopic: Metadata never
        // calls it, and the new topic's partition replica does as it activates, which a loaded machine delays past Reset.
        // Through the Kafka front door's interface only: a silo's membership watcher lists topics on its own.
        Assert.InRange(GrainCallCounter.CountThrough(nameof(IClusterControllerGrain), nameof(IClusterControllerGrain.GetTopics),
            nameof(IClusterControllerGrain.ListTopics)), 1, 2);
        // What the silo and this test hold anyway: the frame twice (the connection's pipe, the
        // request's buffer), the response about four times (its buffer as it doubled, the pipe, read here); nothing per
        // name beyond its bytes (a string, a task and a grain call each would be gigabytes).
        Assert.InRange(allocated, 0, 6L * (frame.Length + response.Length));
    }

    /// <summary>A Metadata v4 request body naming <paramref name="count"/> topics that don't exist ("n" and 6 hex digits), and one that does at the index given.</summary>
    private static byte[] MetadataBody(int count, (int Index, string Name) named)
    {
        const int NameBytes = 7;
        using var writer = new ProtocolWriter();
        writer.Reserve(4 + count * (2 + NameBytes) + named.Name.Length + 1);
        writer.WriteArrayLength(count);
        Span<byte> name = stackalloc byte[NameBytes];
        name[0] = (byte)'n';
        for (var i = 0; i < count; i++)
        {
            if (i == named.Index)
            {
                writer.WriteString(named.Name);
                continue;
            }
            i.TryFormat(name[1..], out _, "x6");
            writer.WriteInt16(NameBytes);
            name.CopyTo(writer.GetSpan(NameBytes));
            writer.Advance(NameBytes);
        }
        writer.WriteBool(false); // allow auto topic creation
        return writer.WrittenSpan.ToArray();
    }
}
