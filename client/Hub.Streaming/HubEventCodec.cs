using System.Collections.Frozen;
using System.Text;
using Hub.Batches;
using Hub.Client;
using Orleans.Serialization;

namespace Hub.Streaming;

/// <summary>
/// Maps stream events to Hub records and back. An event published through Orleans streams becomes a record
/// whose key is the stream key, whose value is the event in Orleans' serialization and whose
/// <see cref="TypeHeader"/> header names the event's type (for tools; Orleans' encoding carries the type
/// itself). A record without that header was written by a plain client and arrives as a <see cref="HubRecord"/>;
/// so does one whose value this application cannot deserialize (an unknown type), rather than being lost.
/// Publishing a <see cref="HubRecord"/> writes its key, value and headers as they are.
/// </summary>
internal sealed class HubEventCodec(Serializer serializer, IEnumerable<string> topics, string unkeyedStreamKey)
{
    public const string TypeHeader = "orleans.type";

    private readonly byte[] _unkeyedStreamKey = Encoding.UTF8.GetBytes(unkeyedStreamKey);

    // Stream namespaces, encoded once rather than for every record.
    private readonly FrozenDictionary<string, byte[]> _namespaces = topics.Distinct().ToFrozenDictionary(t => t, Encoding.UTF8.GetBytes);

    public ProducerRecord Encode(StreamId streamId, object? @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event is HubRecord raw)
        {
            return new ProducerRecord
            {
                Key = streamId.Key.ToArray(),
                Value = raw.Value,
                Headers = [.. raw.Headers.Select(h => new RecordHeader(h.Key, h.Value))],
            };
        }
        return new ProducerRecord
        {
            Key = streamId.Key.ToArray(),
            Value = serializer.SerializeToArray<object>(@event),
            Headers = [new RecordHeader(TypeHeader, Encoding.UTF8.GetBytes(@event.GetType().FullName ?? @event.GetType().Name))],
        };
    }

    public HubBatchContainer Decode(string topic, int partition, in Record record)
    {
        var key = record.Key is { } k ? k.Span : _unkeyedStreamKey;
        var streamId = StreamId.Create(_namespaces[topic], key);
        var headers = record.DecodeHeaders();
        var @event = IsOrleansEvent(headers) && TryDeserialize(record.Value, out var decoded)
            ? decoded
            : new HubRecord(topic, partition, record.Offset, record.Timestamp, record.Key?.ToArray(), record.Value?.ToArray(),
                [.. headers.Select(h => new HubRecordHeader(h.Key, h.Value?.ToArray()))]);
        return new HubBatchContainer(streamId, @event, new HubSequenceToken(partition, record.Offset));
    }

    /// <summary>Whether a record with this key belongs to the stream (same key, or both unkeyed).</summary>
    public bool BelongsTo(in Record record, StreamId streamId) =>
        (record.Key is { } k ? k.Span : _unkeyedStreamKey).SequenceEqual(streamId.Key.Span);

    private static bool IsOrleansEvent(IReadOnlyList<RecordHeader> headers)
    {
        foreach (var header in headers)
        {
            if (header.Key == TypeHeader) return true;
        }
        return false;
    }

    private bool TryDeserialize(ReadOnlyMemory<byte>? value, out object @event)
    {
        @event = null!;
        if (value is not { } bytes) return false;
        try
        {
            @event = serializer.Deserialize<object>(bytes)!;
            return @event is not null;
        }
        catch (Exception e) when (e is SerializerException or TypeLoadException or InvalidCastException)
        {
            return false;
        }
    }
}
