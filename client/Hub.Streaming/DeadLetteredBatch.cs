using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Stands in for an event that was dead-lettered: it carries the event's token but no event, so delivering it
/// calls no handler yet moves the subscription's handshake token past the event, as a successful delivery would
/// (the pulling agent then continues with the next event, not the dead-lettered one again).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class DeadLetteredBatch(StreamId streamId, HubSequenceToken token) : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public HubSequenceToken Token { get; } = token;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() => [];

    public bool ImportRequestContext() => false;

    public override string ToString() => $"{StreamId} {Token} (dead-lettered)";
}
