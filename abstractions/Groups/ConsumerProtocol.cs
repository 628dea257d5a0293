using System.Buffers.Binary;
using System.Text;
using Hub.Errors;

namespace Hub.Groups;

/// <summary>
/// What a consumer tells its group in JoinGroup: the topics it wants, the partitions it holds now (so a
/// sticky assignor can keep them there) and the generation those came from.
/// </summary>
public sealed record ConsumerSubscription(
    IReadOnlyList<string> Topics,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int GenerationId = -1,
    byte[]? UserData = null,
    string? RackId = null);

/// <summary>
/// Kafka's embedded consumer protocol: ConsumerProtocolSubscription (JoinGroup member metadata, versions
/// 0-3) and ConsumerProtocolAssignment (SyncGroup assignment, versions 0-3), as in apache/kafka
/// clients/src/main/resources/common/message/ConsumerProtocol*.json. Big-endian; strings are an int16 length
/// and UTF-8; arrays and bytes an int32 length (-1 = null). No flexible versions. A newer version than known
/// is read as the newest known one (later versions only append fields), as Kafka does.
/// </summary>
public static class ConsumerProtocol
{
    public const short SubscriptionVersion = 3;
    public const short AssignmentVersion = 3;

    public static byte[] EncodeSubscription(ConsumerSubscription subscription)
    {
        var writer = new Writer();
        writer.Int16(SubscriptionVersion);
        writer.Int32(subscription.Topics.Count);
        foreach (var topic in subscription.Topics) writer.String(topic);
        writer.Bytes(subscription.UserData);
        WritePartitions(writer, subscription.OwnedPartitions);
        writer.Int32(subscription.GenerationId);
        writer.String(subscription.RackId);
        return writer.ToArray();
    }

    /// <summary>Reads a subscription; throws <see cref="InconsistentGroupProtocol"/> when the bytes are not one.</summary>
    public static ConsumerSubscription DecodeSubscription(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes, "subscription");
        var version = reader.Int16();
        if (version < 0) throw reader.Malformed($"version {version}");
        var count = reader.Count();
        var topics = new List<string>(count);
        for (var i = 0; i < count; i++) topics.Add(reader.String() ?? throw reader.Malformed("null topic"));
        var userData = reader.Bytes();
        var owned = version >= 1 ? ReadPartitions(ref reader) : [];
        var generation = version >= 2 ? reader.Int32() : -1;
        var rack = version >= 3 ? reader.String() : null;
        return new ConsumerSubscription(topics, owned, generation, userData, rack);
    }

    public static byte[] EncodeAssignment(IEnumerable<TopicPartition> partitions, byte[]? userData = null)
    {
        var writer = new Writer();
        writer.Int16(AssignmentVersion);
        WritePartitions(writer, partitions.ToList());
        writer.Bytes(userData);
        return writer.ToArray();
    }

    /// <summary>The assigned partitions; empty bytes (a member the leader left out) mean none.</summary>
    public static IReadOnlyList<TopicPartition> DecodeAssignment(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return [];
        var reader = new Reader(bytes, "assignment");
        var version = reader.Int16();
        if (version < 0) throw reader.Malformed($"version {version}");
        return ReadPartitions(ref reader);
    }

    /// <summary>Partitions grouped by topic in first-seen topic order, as Kafka's clients write them.</summary>
    private static void WritePartitions(Writer writer, IReadOnlyList<TopicPartition> partitions)
    {
        var byTopic = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).ToList();
        writer.Int32(byTopic.Count);
        foreach (var topic in byTopic)
        {
            writer.String(topic.Key);
            var numbers = topic.Select(p => p.Partition).ToList();
            writer.Int32(numbers.Count);
            foreach (var number in numbers) writer.Int32(number);
        }
    }

    private static List<TopicPartition> ReadPartitions(ref Reader reader)
    {
        var topics = reader.Count();
        var partitions = new List<TopicPartition>();
        for (var t = 0; t < topics; t++)
        {
            var topic = reader.String() ?? throw reader.Malformed("null topic");
            var count = reader.Count();
            for (var i = 0; i < count; i++) partitions.Add(new TopicPartition(topic, reader.Int32()));
        }
        return partitions;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();

        public void Int16(short value)
        {
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(buffer, value);
            _stream.Write(buffer);
        }

        public void Int32(int value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(buffer, value);
            _stream.Write(buffer);
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Int16(-1);
                return;
            }
            var bytes = Encoding.UTF8.GetBytes(value);
            if (bytes.Length > short.MaxValue) throw new ArgumentException($"'{value[..20]}...' is too long for a protocol string");
            Int16((short)bytes.Length);
            _stream.Write(bytes);
        }

        public void Bytes(byte[]? value)
        {
            Int32(value?.Length ?? -1);
            if (value is not null) _stream.Write(value);
        }

        public byte[] ToArray() => _stream.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes, string what)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public short Int16()
        {
            if (_rest.Length < 2) throw Malformed("it ends early");
            var value = BinaryPrimitives.ReadInt16BigEndian(_rest);
            _rest = _rest[2..];
            return value;
        }

        public int Int32()
        {
            if (_rest.Length < 4) throw Malformed("it ends early");
            var value = BinaryPrimitives.ReadInt32BigEndian(_rest);
            _rest = _rest[4..];
            return value;
        }

        /// <summary>An array length; a null array reads as empty. Bounded by the bytes left, so garbage can't allocate much.</summary>
        public int Count()
        {
            var count = Int32();
            if (count < -1 || count > _rest.Length) throw Malformed($"array length {count}");
            return Math.Max(0, count);
        }

        public string? String()
        {
            var length = Int16();
            if (length == -1) return null;
            if (length < 0 || length > _rest.Length) throw Malformed($"string length {length}");
            var value = Encoding.UTF8.GetString(_rest[..length]);
            _rest = _rest[length..];
            return value;
        }

        public byte[]? Bytes()
        {
            var length = Int32();
            if (length == -1) return null;
            if (length < 0 || length > _rest.Length) throw Malformed($"bytes length {length}");
            var value = _rest[..length].ToArray();
            _rest = _rest[length..];
            return value;
        }

        public readonly HubException Malformed(string why) =>
            new(ErrorCode.InconsistentGroupProtocol, $"member {what} is not in Kafka's consumer protocol format: {why}");
    }
}
