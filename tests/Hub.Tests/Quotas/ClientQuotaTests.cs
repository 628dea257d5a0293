using System.Diagnostics;
using Confluent.Kafka;
using Hub.Errors;
using Hub.Quotas;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Quotas;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Hub.Tests.Support;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Quotas;

/// <summary>A silo whose quota rates look back one second (two half-second windows), so a test sees throttling within seconds.</summary>
public sealed class QuotaCluster : IAsyncLifetime
{
    public HubTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
    {
        [nameof(HubSiloOptions.QuotaWindow)] = "00:00:00.5",
        [nameof(HubSiloOptions.QuotaWindowSamples)] = "2",
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Client quotas set and read through Kafka's APIs, and held by a real client, with the response's throttle time and a muted connection.
/// Run alone: a mute is a timer, and a thread pool starved by parallel tests (the silo runs in this process) holds it
/// well past the throttle time, which halved the measured rate in a loaded CI run.</summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed class ClientQuotaTests(QuotaCluster quota) : IClassFixture<QuotaCluster>
{
    private string Bootstrap => quota.Cluster.KafkaBootstrap;

    /// <summary>A <see cref="ClientQuotas"/> with no quotas set, for handlers tested without a silo.</summary>
    internal static ClientQuotas Without(IGrainFactory grains) =>
        new(grains, new ManualTimeProvider(), Options.Create(new HubSiloOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<ClientQuotas>.Instance);

    [Fact]
    public async Task Quotas_set_through_AlterClientQuotas_are_described_stored_and_validated()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap);
        var errors = await AlterAsync(connection, (null, "described", ClientQuotaKeys.ConsumerByteRate, 2048), (null, "described", "connection_creation_rate", 5));
        Assert.Equal([(short)0, (short)ErrorCode.InvalidRequest], errors);

        var described = await DescribeAsync(connection, "described");
        Assert.Equal([("client-id", (string?)"described", ClientQuotaKeys.ConsumerByteRate, 2048.0)], described);
        Assert.Equal(2048, (await quota.Cluster.Grains.GetGrain<Hub.Grains.IClusterControllerGrain>(0).DescribeClientQuotas())
            .Single(q => q.Entity.ClientId == "described").Values[ClientQuotaKeys.ConsumerByteRate]);
    }

    [Fact]
    public async Task A_produce_past_its_quota_is_answered_with_a_throttle_time_and_the_connection_is_muted_for_it()
    {
        var topic = KafkaCluster.NewTopic("throttled");
        await quota.Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap);
        // RawKafkaConnection's requests carry client id "raw-test".
        Assert.Equal(0, Assert.Single(await AlterAsync(connection, (null, "raw-test", ClientQuotaKeys.ProducerByteRate, 20_000))));

        await connection.SendAsync(ApiKey.Produce, 3, 1, RequestBodies.Produce(3, topic, 0, Log.TestBatches.OfValueSize(1, 60_000)));
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        var throttle = TimeSpan.FromMilliseconds(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(response.Length - 4)));
        // About 60 kB over the 0.5 s measured, three times the quota: the most, one second, to wait.
        Assert.InRange(throttle, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(1));

        var muted = Stopwatch.StartNew();
        await connection.SendAsync(ApiKey.ApiVersions, 0, 2, RequestBodies.ApiVersions(0));
        Assert.NotNull(await connection.ReceiveAsync());
        Assert.InRange(muted.Elapsed, throttle * 0.8, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Requests_past_a_request_percentage_quota_get_the_connection_muted()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(Bootstrap);
        // 0.01 % of a thread: 50 microseconds of the front door's time per half-second window, less than one Metadata request takes.
        Assert.Equal(0, Assert.Single(await AlterAsync(connection, (null, "raw-test", ClientQuotaKeys.RequestPercentage, 0.01))));
        try
        {
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < 200 && slowest < MutedAtLeast; i++)
            {
                var answered = Stopwatch.StartNew();
                await connection.SendAsync(ApiKey.Metadata, 1, 100 + i, RequestBodies.Metadata(1));
                Assert.NotNull(await connection.ReceiveAsync(TimeSpan.FromSeconds(10)));
                if (answered.Elapsed > slowest) slowest = answered.Elapsed;
            }
            Assert.True(slowest >= MutedAtLeast, $"no request waited for the quota; the slowest took {slowest.TotalMilliseconds:F0} ms");
        }
        finally
        {
            Assert.Equal(0, Assert.Single(await AlterAsync(connection, (null, "raw-test", ClientQuotaKeys.RequestPercentage, null))));
        }
    }

    /// <summary>Well past a Metadata request's few milliseconds even on a loaded machine; the mute lasts up to the one-second span.</summary>
    private static readonly TimeSpan MutedAtLeast = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task A_confluent_producer_is_held_near_its_byte_rate_quota()
    {
        const int Limit = 200_000, Records = 600, RecordBytes = 1_000;
        var topic = KafkaCluster.NewTopic("quota-rate");
        await quota.Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        using (var connection = await RawKafkaConnection.ConnectAsync(Bootstrap))
            Assert.Equal(0, Assert.Single(await AlterAsync(connection, (null, "rate-limited", ClientQuotaKeys.ProducerByteRate, Limit))));

        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = Bootstrap, ClientId = "rate-limited", LingerMs = 5, BatchSize = 16_384, MessageTimeoutMs = 60_000,
        }).Build();
        var sent = Stopwatch.StartNew();
        var deliveries = Enumerable.Range(0, Records).Select(_ => producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = new byte[RecordBytes] })).ToArray();
        await Task.WhenAll(deliveries).WaitAsync(TimeSpan.FromSeconds(60));
        var rate = Records * RecordBytes / sent.Elapsed.TotalSeconds;

        // The first second's worth goes at once (Kafka spreads a first burst over the window); the rest at the quota.
        Assert.InRange(rate, Limit * 0.5, Limit * 1.5);
    }

    /// <summary>A v0 request of <paramref name="key"/> and its response after the header and throttle time.</summary>
    private static async Task<ReadOnlyMemory<byte>> CallAsync(RawKafkaConnection connection, ApiKey key, byte[] body)
    {
        await connection.SendAsync(key, 0, (int)key, body);
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal((int)key, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(response));
        return response.AsMemory(8);
    }

    /// <summary>AlterClientQuotas v0 of the entries (a null user: an entity of the client id alone; a null value: remove the key); each entry's error code.</summary>
    private static async Task<short[]> AlterAsync(RawKafkaConnection connection, params (string? User, string ClientId, string Key, double? Value)[] entries)
    {
        using var writer = new ProtocolWriter();
        writer.WriteArrayLength(entries.Length);
        foreach (var (user, clientId, key, value) in entries)
        {
            var parts = new List<(string, string)>();
            if (user is not null) parts.Add(("user", user));
            parts.Add(("client-id", clientId));
            writer.WriteArrayLength(parts.Count);
            foreach (var (type, name) in parts)
            {
                writer.WriteString(type);
                writer.WriteNullableString(name);
            }
            writer.WriteArrayLength(1);
            writer.WriteString(key);
            writer.WriteFloat64(value ?? 0);
            writer.WriteBool(value is null); // remove
        }
        writer.WriteBool(false); // validate only
        var reader = new ProtocolReader(await CallAsync(connection, ApiKey.AlterClientQuotas, writer.WrittenSpan.ToArray()));
        var errors = new short[reader.ReadArrayLength()];
        for (var i = 0; i < errors.Length; i++)
        {
            errors[i] = reader.ReadInt16();
            reader.ReadNullableString();
            for (var parts = reader.ReadArrayLength(); parts > 0; parts--)
            {
                reader.ReadString();
                reader.ReadNullableString();
            }
        }
        return errors;
    }

    /// <summary>DescribeClientQuotas v0 for one client id, exactly: each (entity type, name, key, value).</summary>
    private static async Task<List<(string, string?, string, double)>> DescribeAsync(RawKafkaConnection connection, string clientId)
    {
        using var writer = new ProtocolWriter();
        writer.WriteArrayLength(1);
        writer.WriteString("client-id");
        writer.WriteInt8(0); // exact
        writer.WriteNullableString(clientId);
        writer.WriteBool(true); // strict
        var reader = new ProtocolReader(await CallAsync(connection, ApiKey.DescribeClientQuotas, writer.WrittenSpan.ToArray()));
        Assert.Equal(0, reader.ReadInt16());
        Assert.Null(reader.ReadNullableString());
        var described = new List<(string, string?, string, double)>();
        for (var entries = reader.ReadArrayLength(); entries > 0; entries--)
        {
            var parts = new List<(string, string?)>();
            for (var count = reader.ReadArrayLength(); count > 0; count--) parts.Add((reader.ReadString(), reader.ReadNullableString()));
            for (var values = reader.ReadArrayLength(); values > 0; values--)
            {
                var (type, name) = Assert.Single(parts);
                described.Add((type, name, reader.ReadString(), reader.ReadFloat64()));
            }
        }
        return described;
    }
}
