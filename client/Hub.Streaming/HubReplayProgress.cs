using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// How far a rewound subscription's replay has read, handed to the agent as a batch without events when a fetch
/// held none of the stream's records: delivering it is an await, during which the pulling agent serves its
/// queue's other streams, instead of reading on in one turn through a long stretch of other keys' records.
/// The subscriber's observer sees nothing of it; its position moves to <see cref="Token"/>.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class HubReplayProgress(StreamId streamId, HubSequenceToken token) : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public HubSequenceToken Token { get; } = token;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() => [];

    public bool ImportRequestContext() => false;

    public override string ToString() => $"{StreamId} replayed up to {Token}";
}
