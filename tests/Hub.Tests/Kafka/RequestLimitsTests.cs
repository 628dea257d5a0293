using System.Diagnostics;
using Hub.Batches;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Log;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>A silo of its own whose grain calls are counted (<see cref="GrainCallCounter"/>), for <see cref="RequestLimitsTests"/>.</summary>
public sealed class CountedKafkaCluster : IAsyncLifetime
{
    public HubTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(configurators: [typeof(GrainCallCounter)]);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Requests crafted to make a silo do unbounded work (see also <see cref="MetadataFanOutTests"/>), over real TCP: each is answered, costs what it may (grain calls,
/// bytes read, decompression), and a cheap request on another connection is answered meanwhile.
/// </summary>
public sealed class RequestLimitsTests(CountedKafkaCluster kafka) : IClassFixture<CountedKafkaCluster>
{
    /// <summary>How long a bystander's cheap request may take while an attack runs: generous for a loaded 2-core machine.</summary>
    internal static readonly TimeSpan Responsive = TimeSpan.FromSeconds(3);

    /// <summary>The batch the fetch tests read: one 4 KiB record.</summary>
    private static readonly byte[] Batch = TestBatches.OfValueSize(1, 4 << 10);

    private string Bootstrap => kafka.Cluster.KafkaBootstrap;

    /// <summary>A new topic of <paramref name="partitions"/> partitions and a connection to the silo.</summary>
    private async Task<(string Topic, RawKafkaConnection Connection)> NewTopicAsync(string prefix, int partitions)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, partitions);
        return (topic, await RawKafkaConnection.ConnectAsync(Bootstrap));
    }

    [Fact]
    public async Task A_fetch_naming_one_partition_65000_times_reads_it_once()
    {
        var (topic, connection) = await NewTopicAsync("dup-fetch", 1);
        using var _ = connection;
        Assert.Equal(0, (await connection.ProduceAsync(topic, Batch)).Error);

        GrainCallCounter.Reset();
        var partitions = Fetched(await FetchAsync(connection, topic, Enumerable.Repeat((0, 1 << 20), 65_000), maxBytes: 1 << 20));

        // Kafka answers a partition named twice once (its request is a map of partitions).
        var answer = Assert.Single(partitions);
        Assert.Equal((0, (short)0, 1L, Batch.Length), (answer.Partition, answer.Error, answer.HighWatermark, answer.RecordBytes));
        Assert.Equal(1, GrainCallCounter.Count("Fetch"));
        Assert.Equal(Batch.Length, GrainCallCounter.FetchedBytes);
    }

    [Fact]
    public async Task A_fetch_reads_no_more_than_the_response_max_bytes_carries()
    {
        const int Partitions = 8;
        var (topic, connection) = await NewTopicAsync("budget", Partitions);
        using var _ = connection;
        for (var p = 0; p < Partitions; p++)
        {
            for (var i = 0; i < 16; i++) Assert.Equal(0, (await connection.ProduceAsync(topic, Batch, p)).Error);
        }

        GrainCallCounter.Reset();
        var maxBytes = 3 * Batch.Length;
        var partitions = Fetched(await FetchAsync(connection, topic, Enumerable.Range(0, Partitions).Select(p => (p, 1 << 20)), maxBytes));

        // The first partition fills the response; the others report where they stand and read nothing.
        Assert.Equal(Enumerable.Range(0, Partitions), partitions.Select(p => p.Partition));
        Assert.All(partitions, p => Assert.Equal(((short)0, 16L), (p.Error, p.HighWatermark)));
        Assert.Equal(maxBytes, partitions[0].RecordBytes);
        Assert.All(partitions.Skip(1), p => Assert.Equal(0, p.RecordBytes));
        Assert.Equal(maxBytes, GrainCallCounter.FetchedBytes);
    }

    [Fact]
    public async Task A_partition_behind_empty_ones_gets_the_room_they_leave()
    {
        const int Partitions = 6;
        var (topic, connection) = await NewTopicAsync("behind", Partitions);
        using var _ = connection;
        Assert.Equal(0, (await connection.ProduceAsync(topic, Batch, Partitions - 1)).Error);

        // Each partition may take the whole response, so only the first gets a share in the first round.
        var partitions = Fetched(await FetchAsync(connection, topic, Enumerable.Range(0, Partitions).Select(p => (p, 2 * Batch.Length)), 2 * Batch.Length));

        Assert.Equal(Batch.Length, partitions[^1].RecordBytes);
        Assert.All(partitions.SkipLast(1), p => Assert.Equal(0, p.RecordBytes));
    }

    [Fact]
    public async Task A_long_poll_answers_as_soon_as_a_partition_past_the_budget_gets_records()
    {
        const int Partitions = 3;
        var (topic, connection) = await NewTopicAsync("poll", Partitions);
        using var _ = connection;
        using var producer = await RawKafkaConnection.ConnectAsync(Bootstrap);

        // Each partition may take the whole response, so the last one waits for records without a share of its own.
        GrainCallCounter.Reset();
        var waited = Stopwatch.StartNew();
        var fetch = FetchAsync(connection, topic, Enumerable.Range(0, Partitions).Select(p => (p, Batch.Length)), Batch.Length, maxWaitMs: 20_000);
        // Each partition read once, then each waiting.
        await GroupTesting.WaitUntilAsync(() => GrainCallCounter.Count("Fetch") == 2 * Partitions, "every partition waits for records");
        Assert.Equal(0, (await producer.ProduceAsync(topic, Batch, Partitions - 1)).Error);
        var partitions = Fetched(await fetch);

        Assert.Equal(Batch.Length, partitions[^1].RecordBytes);
        Assert.InRange(waited.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_list_offsets_naming_one_partition_100000_times_is_refused_without_asking_it()
    {
        const int Times = 100_000;
        var (topic, connection) = await NewTopicAsync("dup-offsets", 1);
        using var _ = connection;
        using var writer = new ProtocolWriter();
        writer.WriteInt32(-1); // replica id
        writer.WriteArrayLength(1);
        writer.WriteString(topic);
        writer.WriteArrayLength(Times);
        for (var i = 0; i < Times; i++)
        {
            writer.WriteInt32(0);
            writer.WriteInt64(-1); // latest
        }

        GrainCallCounter.Reset();
        await connection.SendAsync(ApiKey.ListOffsets, 1, 3, writer.WrittenSpan);
        var response = await connection.ReceiveAsync(TimeSpan.FromSeconds(30));

        // As Kafka answers it: every entry of a partition named twice is INVALID_REQUEST.
        Assert.NotNull(response);
        var reader = new ProtocolReader(response);
        Assert.Equal(3, reader.ReadInt32());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(Times, reader.ReadArrayLength());
        for (var i = 0; i < Times; i++)
        {
            Assert.Equal((0, (short)ErrorCode.InvalidRequest), (reader.ReadInt32(), reader.ReadInt16()));
            reader.ReadInt64();
            reader.ReadInt64();
        }
        Assert.Equal(0, GrainCallCounter.Count("ListOffset"));
    }

    /// <summary>Names a request gives that no topic has: more than one controller lookup takes by name, as an attacker would send.</summary>
    private const int UnknownNames = 20_000;

    private static IEnumerable<string> Unknown() => Enumerable.Range(0, UnknownNames).Select(i => $"{GrainCallCounter.Marker}{i:x6}");

    [Fact]
    public async Task DeleteTopics_and_DescribeConfigs_naming_thousands_of_topics_make_no_controller_call_per_name()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap);
        using var deletion = new ProtocolWriter();
        deletion.WriteArrayLength(UnknownNames);
        foreach (var name in Unknown()) deletion.WriteString(name);
        deletion.WriteInt32(30_000); // timeout
        using var description = new ProtocolWriter();
        description.WriteArrayLength(UnknownNames);
        foreach (var name in Unknown())
        {
            description.WriteInt8(2); // topic
            description.WriteString(name);
            description.WriteArrayLength(-1); // every config
        }
        description.WriteBool(false); // synonyms

        GrainCallCounter.Reset();
        await connection.SendAsync(ApiKey.DeleteTopics, 1, 5, deletion.WrittenSpan);
        var deleted = new ProtocolReader((await connection.ReceiveAsync(TimeSpan.FromSeconds(30)))!);
        Assert.Equal(5, deleted.ReadInt32());
        deleted.ReadInt32(); // throttle time
        Assert.Equal(UnknownNames, deleted.ReadArrayLength());
        for (var i = 0; i < UnknownNames; i++)
        {
            deleted.ReadString();
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, deleted.ReadInt16());
        }
        await connection.SendAsync(ApiKey.DescribeConfigs, 1, 6, description.WrittenSpan);
        var described = new ProtocolReader((await connection.ReceiveAsync(TimeSpan.FromSeconds(30)))!);
        Assert.Equal(6, described.ReadInt32());
        described.ReadInt32(); // throttle time
        Assert.Equal(UnknownNames, described.ReadArrayLength());
        for (var i = 0; i < UnknownNames; i++)
        {
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, described.ReadInt16());
            described.ReadNullableString();
            described.ReadInt8();
            described.ReadString();
            Assert.Equal(0, described.ReadArrayLength());
        }
        // One listing each, which names nothing: before, every name cost a lookup.
        Assert.Equal(0, GrainCallCounter.CountNaming);
    }

    [Fact]
    public async Task A_produce_naming_one_partition_twice_appends_its_last_entry_once()
    {
        var (topic, connection) = await NewTopicAsync("dup-produce", 1);
        using var _ = connection;
        using var writer = new ProtocolWriter();
        writer.WriteNullableString(null); // transactional id
        writer.WriteInt16(-1); // acks
        writer.WriteInt32(30_000); // timeout
        writer.WriteArrayLength(1);
        writer.WriteString(topic);
        writer.WriteArrayLength(2);
        foreach (var value in new[] { "first", "last" })
        {
            writer.WriteInt32(0);
            writer.WriteBytes(TestBatches.Build(1, value));
        }

        GrainCallCounter.Reset();
        await connection.SendAsync(ApiKey.Produce, 3, 1, writer.WrittenSpan);

        Assert.Equal(((short)0, 0L), await connection.ReceiveProduceAsync(1, topic));
        Assert.Equal(1, GrainCallCounter.Count("Append"));
        using var stored = (await kafka.Cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, 0)).Fetch(new FetchRequest(0, 1 << 20))).Records;
        Assert.Equal(["last"], TestBatches.Records(stored.Memory).Select(r => r.Value));
    }

    [Fact]
    public async Task A_produce_of_decompression_bombs_is_refused_after_one_batchs_worth_and_leaves_the_partition_responsive()
    {
        var (topic, attacker) = await NewTopicAsync("bombs", 1);
        using var _ = attacker;
        using var bystander = await RawKafkaConnection.ConnectAsync(Bootstrap);
        Assert.Equal(0, (await bystander.ProduceAsync(topic, TestBatches.Build(1, "before"))).Error);
        // Valid batches, each a few KiB that gzip to 40 MiB of records: forty of them are 1.6 GiB to decompress.
        var bomb = TestBatches.Compress(TestBatches.OfValueSize(1, 40 << 20), CompressionType.Gzip);
        var bombs = TestBatches.Concat(Enumerable.Repeat(bomb, 40).ToArray());

        GrainCallCounter.Reset();
        await attacker.SendAsync(ApiKey.Produce, 3, 1, RequestBodies.Produce(3, topic, 0, bombs));
        await GroupTesting.WaitUntilAsync(() => GrainCallCounter.Count("Append") == 1, "the bombs reached the partition");
        var answered = Stopwatch.StartNew();
        Assert.Equal(((short)0, 1L), await bystander.ProduceAsync(topic, TestBatches.Build(1, "meanwhile")));
        Assert.InRange(answered.Elapsed, TimeSpan.Zero, Responsive);

        Assert.Equal(((short)ErrorCode.MessageTooLarge, -1L), await attacker.ReceiveProduceAsync(1, topic, within: TimeSpan.FromSeconds(30)));
        Assert.Equal(2, (await kafka.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].LogEndOffset);
    }

    private sealed record FetchedPartition(int Partition, short Error, long HighWatermark, int RecordBytes);

    /// <summary>Fetch v4 of <paramref name="topic"/>'s partitions as listed, each with its max bytes, from offset 0.</summary>
    private static async Task<byte[]> FetchAsync(RawKafkaConnection connection, string topic, IEnumerable<(int Partition, int MaxBytes)> partitions, int maxBytes,
        int maxWaitMs = 0)
    {
        var listed = partitions.ToArray();
        using var writer = new ProtocolWriter();
        writer.WriteInt32(-1); // replica id
        writer.WriteInt32(maxWaitMs);
        writer.WriteInt32(1); // min bytes
        writer.WriteInt32(maxBytes);
        writer.WriteInt8(0); // isolation level
        writer.WriteArrayLength(1);
        writer.WriteString(topic);
        writer.WriteArrayLength(listed.Length);
        foreach (var (partition, partitionMaxBytes) in listed)
        {
            writer.WriteInt32(partition);
            writer.WriteInt64(0); // offset
            writer.WriteInt32(partitionMaxBytes);
        }
        await connection.SendAsync(ApiKey.Fetch, 4, 5, writer.WrittenSpan);
        var response = await connection.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(response);
        return response;
    }

    /// <summary>The partitions of the one topic of a Fetch v4 response.</summary>
    private static List<FetchedPartition> Fetched(byte[] response)
    {
        var reader = new ProtocolReader(response);
        Assert.Equal(5, reader.ReadInt32());
        reader.ReadInt32(); // throttle time
        Assert.Equal(1, reader.ReadArrayLength());
        reader.ReadString();
        var partitions = new List<FetchedPartition>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            var partition = reader.ReadInt32();
            var error = reader.ReadInt16();
            var highWatermark = reader.ReadInt64();
            reader.ReadInt64(); // last stable offset
            reader.ReadArrayLength(); // aborted transactions: null
            partitions.Add(new FetchedPartition(partition, error, highWatermark, reader.ReadBytes().Length));
        }
        return partitions;
    }
}
