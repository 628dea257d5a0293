using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Hub.Faults.Workloads;

/// <summary>
/// Kafka's Metadata request v7, the first with each partition's leader epoch (which Confluent.Kafka's admin
/// client does not expose), for one topic, on a connection of its own, sent raw: header v1 (api key 3, version,
/// correlation id, client id), the topic names, allow_auto_topic_creation; the answer has header v0. Layout from
/// apache/kafka's MetadataRequest.json and MetadataResponse.json (non-flexible below v9).
/// </summary>
internal static class MetadataV7Request
{
    private const short MetadataApiKey = 3;
    private const short Version = 7;
    private const int CorrelationId = 1;
    private const string ClientId = "hub-faults-metadata";

    /// <summary>A bound on an answer's size: one topic's metadata is a few hundred bytes.</summary>
    private const int MaxResponseBytes = 1024 * 1024;

    public static async Task<IReadOnlyList<PartitionMetadata>> SendAsync(string broker, string topic, CancellationToken cancel)
    {
        var (host, port) = HostAndPort(broker);
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port, cancel);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Request(topic), cancel);

        var size = new byte[4];
        await stream.ReadExactlyAsync(size, cancel);
        var length = BinaryPrimitives.ReadInt32BigEndian(size);
        if (length is < 4 or > MaxResponseBytes) throw new InvalidDataException($"metadata answer of {length} bytes");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancel);
        return Parse(body, topic);
    }

    private static byte[] Request(string topic)
    {
        var client = Encoding.UTF8.GetBytes(ClientId);
        var name = Encoding.UTF8.GetBytes(topic);
        var body = new List<byte>();
        void Int16(short v) { var b = new byte[2]; BinaryPrimitives.WriteInt16BigEndian(b, v); body.AddRange(b); }
        void Int32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, v); body.AddRange(b); }
        Int16(MetadataApiKey);
        Int16(Version);
        Int32(CorrelationId);
        Int16((short)client.Length);
        body.AddRange(client);
        Int32(1);                    // one topic
        Int16((short)name.Length);
        body.AddRange(name);
        body.Add(0);                 // allow_auto_topic_creation: false
        var framed = new byte[4 + body.Count];
        BinaryPrimitives.WriteInt32BigEndian(framed, body.Count);
        body.CopyTo(framed, 4);
        return framed;
    }

    private static IReadOnlyList<PartitionMetadata> Parse(byte[] body, string topic)
    {
        var reader = new Reader(body);
        if (reader.Int32() != CorrelationId) throw new InvalidDataException("metadata answer to another request");
        reader.Int32();                                  // throttle_time_ms
        for (var brokers = reader.Int32(); brokers > 0; brokers--)
        {
            reader.Int32();                              // node_id
            reader.String();                             // host
            reader.Int32();                              // port
            reader.String();                             // rack (nullable)
        }
        reader.String();                                 // cluster_id (nullable)
        reader.Int32();                                  // controller_id
        var partitions = new List<PartitionMetadata>();
        for (var topics = reader.Int32(); topics > 0; topics--)
        {
            var topicError = reader.Int16();
            var name = reader.String();
            reader.Bool();                               // is_internal
            for (var count = reader.Int32(); count > 0; count--)
            {
                var error = reader.Int16();
                var partition = reader.Int32();
                var leader = reader.Int32();
                var epoch = reader.Int32();
                var replicas = reader.Int32Array();
                var isr = reader.Int32Array();
                reader.Int32Array();                     // offline_replicas
                if (name == topic) partitions.Add(new PartitionMetadata(partition, error, leader, epoch, replicas, isr));
            }
            if (name == topic && topicError != 0) throw new InvalidDataException($"metadata for {topic}: error {topicError}");
        }
        return partitions;
    }

    private static (string Host, int Port) HostAndPort(string broker)
    {
        var colon = broker.LastIndexOf(':');
        return (broker[..colon].Trim('[', ']'), int.Parse(broker[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Big-endian fields in order, as Kafka's non-flexible versions lay them out.</summary>
    private sealed class Reader(byte[] bytes)
    {
        private int _at;

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public bool Bool() => Take(1)[0] != 0;

        public string? String()
        {
            var length = Int16();
            return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
        }

        public int[] Int32Array()
        {
            var values = new int[Math.Max(Int32(), 0)];
            for (var i = 0; i < values.Length; i++) values[i] = Int32();
            return values;
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_at + count > bytes.Length) throw new InvalidDataException("metadata answer ends early");
            var span = bytes.AsSpan(_at, count);
            _at += count;
            return span;
        }
    }
}
