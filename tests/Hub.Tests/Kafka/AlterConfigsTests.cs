using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Security;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Kafka;

/// <summary>
/// Topic configs changed after creation through Confluent.Kafka's AdminClient (IncrementalAlterConfigs and
/// AlterConfigs): DescribeConfigs tells set configs from defaults as Kafka does, the partition applies a change at
/// once (no restart, no wait for a periodic pass), and bad input gets Kafka's error code per resource.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class AlterConfigsTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Incremental_set_append_and_delete_show_in_describe_as_set_on_the_topic_or_default()
    {
        var (topic, resource) = await CreateTopicAsync("incremental");
        using var admin = Admin();

        await admin.IncrementalAlterConfigsAsync(new()
        {
            [resource] = [Op("retention.ms", AlterConfigOpType.Set, "3600000"), Op("cleanup.policy", AlterConfigOpType.Append, "compact")],
        });
        var altered = await DescribeAsync(admin, resource);
        Assert.Equal(("3600000", ConfigSource.DynamicTopicConfig), (altered["retention.ms"].Value, altered["retention.ms"].Source));
        Assert.Equal(("delete,compact", ConfigSource.DynamicTopicConfig), (altered["cleanup.policy"].Value, altered["cleanup.policy"].Source));
        Assert.Equal(ConfigSource.DefaultConfig, altered["segment.bytes"].Source);
        Assert.True(altered["segment.bytes"].IsDefault);

        await admin.IncrementalAlterConfigsAsync(new()
        {
            [resource] = [Op("retention.ms", AlterConfigOpType.Delete), Op("cleanup.policy", AlterConfigOpType.Subtract, "delete")],
        });
        var back = await DescribeAsync(admin, resource);
        Assert.Equal(("604800000", ConfigSource.DefaultConfig), (back["retention.ms"].Value, back["retention.ms"].Source));
        Assert.Equal("compact", back["cleanup.policy"].Value);
    }

    [Fact]
    public async Task AlterConfigs_replaces_the_whole_set_and_validate_only_changes_nothing()
    {
        var (_, resource) = await CreateTopicAsync("replace", new() { ["retention.ms"] = "3600000", ["max.message.bytes"] = "500000" });
        using var admin = Admin();

        await admin.AlterConfigsAsync(new() { [resource] = [new ConfigEntry { Name = "max.message.bytes", Value = "600000" }] },
            new AlterConfigsOptions { ValidateOnly = true });
        Assert.Equal("500000", (await DescribeAsync(admin, resource))["max.message.bytes"].Value);

        await admin.AlterConfigsAsync(new() { [resource] = [new ConfigEntry { Name = "max.message.bytes", Value = "600000" }] });
        var replaced = await DescribeAsync(admin, resource);
        Assert.Equal(("600000", ConfigSource.DynamicTopicConfig), (replaced["max.message.bytes"].Value, replaced["max.message.bytes"].Source));
        Assert.Equal(("604800000", ConfigSource.DefaultConfig), (replaced["retention.ms"].Value, replaced["retention.ms"].Source));
    }

    [Fact]
    public async Task Lowered_retention_deletes_old_segments_at_once()
    {
        const int records = 10;
        var (topic, resource) = await CreateTopicAsync("retention", new() { ["segment.bytes"] = "1024" });
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, LingerMs = 0 }).Build())
        {
            var hourAgo = new Timestamp(DateTime.UtcNow.AddHours(-1));
            for (var i = 0; i < records; i++)
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = new string('r', 400), Timestamp = hourAgo });
        }
        var before = (await kafka.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0];
        Assert.Equal(0, before.LogStartOffset);
        Assert.True(before.SegmentCount > 2, $"{before.SegmentCount} segments");

        using var admin = Admin();
        await admin.IncrementalAlterConfigsAsync(new() { [resource] = [Op("retention.ms", AlterConfigOpType.Set, "60000")] });

        // The silo's periodic retention pass is minutes apart: only the applied change can delete them this soon.
        await EventuallyAsync(async () => (await kafka.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].LogStartOffset == records,
            "every record an hour old deleted");
    }

    [Fact]
    public async Task Lowered_max_message_bytes_refuses_larger_batches_without_a_restart()
    {
        var (topic, resource) = await CreateTopicAsync("max-message");
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, LingerMs = 0 }).Build();
        var large = new Message<Null, string> { Value = new string('m', 4000) };
        await producer.ProduceAsync(topic, large);

        using var admin = Admin();
        await admin.IncrementalAlterConfigsAsync(new() { [resource] = [Op("max.message.bytes", AlterConfigOpType.Set, "1000")] });

        KafkaErrorCode? refused = null;
        await EventuallyAsync(async () =>
        {
            try
            {
                await producer.ProduceAsync(topic, large);
                return false;
            }
            catch (ProduceException<Null, string> e)
            {
                refused = e.Error.Code;
                return true;
            }
        }, "a 4000-byte record refused");
        Assert.Equal(KafkaErrorCode.MsgSizeTooLarge, refused);
        Assert.Equal(Persisted, (await producer.ProduceAsync(topic, new Message<Null, string> { Value = "small" })).Status);
    }

    [Fact]
    public async Task Bad_input_gets_kafkas_error_code_per_resource_and_changes_nothing()
    {
        var topics = new List<ConfigResource>();
        for (var i = 0; i < 4; i++) topics.Add((await CreateTopicAsync($"bad-{i}")).Resource);
        var unknown = new ConfigResource { Type = ResourceType.Topic, Name = KafkaCluster.NewTopic("never-created") };
        using var admin = Admin();

        var failed = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new()
        {
            [topics[0]] = [Op("retention.mss", AlterConfigOpType.Set, "1")],
            [topics[1]] = [Op("retention.ms", AlterConfigOpType.Set, "soon")],
            [topics[2]] = [Op("retention.ms", AlterConfigOpType.Append, "1")],
            [topics[3]] = [Op("retention.ms", AlterConfigOpType.Set, "1"), Op("segment.bytes", AlterConfigOpType.Set, "1")],
            [unknown] = [Op("retention.ms", AlterConfigOpType.Set, "1")],
        }));
        var errors = failed.Results.ToDictionary(r => r.ConfigResource.Name, r => r.Error.Code);
        Assert.Equal(KafkaErrorCode.InvalidConfig, errors[topics[0].Name]);
        Assert.Equal(KafkaErrorCode.InvalidConfig, errors[topics[1].Name]);
        Assert.Equal(KafkaErrorCode.InvalidConfig, errors[topics[2].Name]);
        Assert.Equal(KafkaErrorCode.InvalidConfig, errors[topics[3].Name]);
        Assert.Equal(KafkaErrorCode.UnknownTopicOrPart, errors[unknown.Name]);
        // All or nothing: the valid half of topic 3's change was not made either.
        Assert.Equal(ConfigSource.DefaultConfig, (await DescribeAsync(admin, topics[3]))["retention.ms"].Source);

        // Hub's broker settings are static: an error for the resource, and the connection serves on.
        var broker = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new()
        {
            [new ConfigResource { Type = ResourceType.Broker, Name = "0" }] = [Op("log.retention.ms", AlterConfigOpType.Set, "1")],
        }));
        Assert.Equal(KafkaErrorCode.InvalidRequest, broker.Results.Single().Error.Code);
        Assert.Equal("604800000", (await DescribeAsync(admin, topics[0]))["retention.ms"].Value);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    [InlineData(false, 2)]
    public async Task Every_version_answers_each_resource_in_kafkas_layout(bool incremental, short version)
    {
        var (topic, _) = await CreateTopicAsync("raw");
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var flexible = version >= (incremental ? 1 : 2);

        await connection.SendAsync(incremental ? ApiKey.IncrementalAlterConfigs : ApiKey.AlterConfigs, version, 7,
            RequestBodies.AlterConfigs(incremental, version, ((sbyte)2, topic, [("retention.ms", 0, "3600000")]), ((sbyte)99, "other", [])),
            flexibleHeader: flexible);

        var answered = ResourceOutcomes(await connection.ReceiveAsync() ?? throw new IOException("the listener closed the connection"), flexible, 7);
        Assert.Equal([((short)0, (sbyte)2, topic), ((short)Hub.Errors.ErrorCode.InvalidRequest, (sbyte)99, "other")], answered);
        Assert.Equal(3600000, (await kafka.Cluster.Client.Admin.DescribeTopicAsync(topic)).Metadata.Config.RetentionMs);
    }

    [PythonKafkaTheory]
    [InlineData("retention.ms", "3600000")]
    public async Task Kafka_python_alters_and_describes_a_topic_config(string name, string value)
    {
        var (topic, _) = await CreateTopicAsync("python");

        var run = await PythonKafka.AlterConfigsAsync(kafka.Bootstrap, topic, name, value);

        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal(["altered 0", $"described {value}"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>An AlterConfigs or IncrementalAlterConfigs response (both have this layout): each resource's error code, type and name.</summary>
    private static List<(short Error, sbyte Type, string Name)> ResourceOutcomes(byte[] response, bool flexible, int correlationId)
    {
        var reader = new ProtocolReader(response, flexible);
        Assert.Equal(correlationId, reader.ReadInt32());
        reader.SkipTaggedFields();
        reader.ReadInt32(); // throttle time
        var outcomes = new List<(short Error, sbyte Type, string Name)>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            var error = reader.ReadInt16();
            reader.ReadNullableString();
            outcomes.Add((error, reader.ReadInt8(), reader.ReadString()));
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return outcomes;
    }

    private const PersistenceStatus Persisted = PersistenceStatus.Persisted;

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

    private static ConfigEntry Op(string name, AlterConfigOpType operation, string? value = null) =>
        new() { Name = name, Value = value, IncrementalOperation = operation };

    private static async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync(IAdminClient admin, ConfigResource resource) =>
        (await admin.DescribeConfigsAsync([resource])).Single().Entries;

    private async Task<(string Topic, ConfigResource Resource)> CreateTopicAsync(string prefix, Dictionary<string, string>? configs = null)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1, configs);
        return (topic, new ConfigResource { Type = ResourceType.Topic, Name = topic });
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Timeout"/>.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested) Assert.Fail($"not seen within {Timeout.TotalSeconds} s: {what}");
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
