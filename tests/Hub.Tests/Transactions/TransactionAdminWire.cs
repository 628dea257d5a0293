using Hub.Errors;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Kafka;

namespace Hub.Tests.Transactions;

/// <summary>ListTransactions v0-v1, DescribeTransactions v0 and DescribeProducers v0 requests on a raw connection, and their answers read field by field.</summary>
internal static class TransactionAdminWire
{
    private const int CorrelationId = 11;

    /// <summary>An answer that takes longer is lost: a loaded 2-core machine answers in well under a second.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    public sealed record Listing(string TransactionalId, long ProducerId, string State);

    public sealed record Description(ErrorCode Error, string TransactionalId, string State, int TimeoutMs, long StartMs, long ProducerId, int Epoch,
        List<(string Topic, int[] Partitions)> Topics);

    public sealed record Producer(long ProducerId, int Epoch, int LastSequence, long LastTimestamp, int CoordinatorEpoch, long TxnStartOffset);

    public static async Task<(ErrorCode Error, List<string> UnknownStates, List<Listing> Transactions)> ListAsync(
        RawKafkaConnection connection, short version, string[] states, long[] producerIds, long durationMs)
    {
        var request = Encode(w =>
        {
            w.WriteArrayLength(states.Length);
            foreach (var state in states) w.WriteString(state);
            w.WriteArrayLength(producerIds.Length);
            foreach (var producerId in producerIds) w.WriteInt64(producerId);
            if (version >= 1) w.WriteInt64(durationMs);
            w.WriteEmptyTaggedFields();
        });
        var reader = Body(await CallAsync(connection, ApiKey.ListTransactions, version, request, flexible: true), flexible: true);
        reader.ReadInt32(); // throttle time
        var error = (ErrorCode)reader.ReadInt16();
        var unknown = new List<string>();
        for (var count = reader.ReadArrayLength(); count > 0; count--) unknown.Add(reader.ReadString());
        var listed = new List<Listing>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            listed.Add(new Listing(reader.ReadString(), reader.ReadInt64(), reader.ReadString()));
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return (error, unknown, listed);
    }

    public static async Task<List<Description>> DescribeAsync(RawKafkaConnection connection, params string[] ids)
    {
        var request = Encode(w =>
        {
            w.WriteArrayLength(ids.Length);
            foreach (var id in ids) w.WriteString(id);
            w.WriteEmptyTaggedFields();
        });
        var reader = Body(await CallAsync(connection, ApiKey.DescribeTransactions, 0, request, flexible: true), flexible: true);
        reader.ReadInt32(); // throttle time
        var answers = new List<Description>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            var (error, id, state, timeout, start, producerId, epoch) =
                ((ErrorCode)reader.ReadInt16(), reader.ReadString(), reader.ReadString(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt16());
            var topics = new List<(string, int[])>();
            for (var t = reader.ReadArrayLength(); t > 0; t--)
            {
                var name = reader.ReadString();
                var partitions = new int[reader.ReadArrayLength()];
                for (var p = 0; p < partitions.Length; p++) partitions[p] = reader.ReadInt32();
                reader.SkipTaggedFields();
                topics.Add((name, partitions));
            }
            reader.SkipTaggedFields();
            answers.Add(new Description(error, id, state, timeout, start, producerId, epoch, topics));
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return answers;
    }

    public static async Task<List<(ErrorCode Error, List<Producer> Producers)>> DescribeProducersAsync(RawKafkaConnection connection,
        params (string Topic, int[] Partitions)[] topics)
    {
        var request = Encode(w =>
        {
            w.WriteArrayLength(topics.Length);
            foreach (var (topic, partitions) in topics)
            {
                w.WriteString(topic);
                w.WriteArrayLength(partitions.Length);
                foreach (var partition in partitions) w.WriteInt32(partition);
                w.WriteEmptyTaggedFields();
            }
            w.WriteEmptyTaggedFields();
        });
        var reader = Body(await CallAsync(connection, ApiKey.DescribeProducers, 0, request, flexible: true), flexible: true);
        reader.ReadInt32(); // throttle time
        var answers = new List<(ErrorCode, List<Producer>)>();
        for (var t = reader.ReadArrayLength(); t > 0; t--)
        {
            reader.ReadString();
            for (var p = reader.ReadArrayLength(); p > 0; p--)
            {
                reader.ReadInt32(); // partition index
                var error = (ErrorCode)reader.ReadInt16();
                reader.ReadNullableString(); // error message
                var producers = new List<Producer>();
                for (var count = reader.ReadArrayLength(); count > 0; count--)
                {
                    producers.Add(new Producer(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64()));
                    reader.SkipTaggedFields();
                }
                reader.SkipTaggedFields();
                answers.Add((error, producers));
            }
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return answers;
    }

    public static byte[] Encode(Action<ProtocolWriter> write) => Encode(flexible: true, write);

    public static byte[] Encode(bool flexible, Action<ProtocolWriter> write)
    {
        using var writer = new ProtocolWriter { Flexible = flexible };
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static async Task<byte[]> CallAsync(RawKafkaConnection connection, ApiKey key, short version, byte[] body, bool flexible)
    {
        await connection.SendAsync(key, version, CorrelationId, body, flexibleHeader: flexible);
        return await connection.ReceiveAsync(AnswerTimeout) ?? throw new TimeoutException($"no answer to {key} v{version}");
    }

    /// <summary>A reader past the response header (v1, with tagged fields, for flexible versions).</summary>
    public static ProtocolReader Body(byte[] response, bool flexible)
    {
        var reader = new ProtocolReader(response, flexible);
        Assert.Equal(CorrelationId, reader.ReadInt32());
        if (flexible) reader.SkipTaggedFields();
        return reader;
    }
}
