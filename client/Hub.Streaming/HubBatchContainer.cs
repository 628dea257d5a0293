using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>One Hub record as Orleans streams carry it: one event (an Orleans-serialized object or a <see cref="HubRecord"/>) and its position.</summary>
[GenerateSerializer, Immutable]
public sealed class HubBatchContainer(StreamId streamId, object @event, HubSequenceToken token) : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public object Event { get; } = @event;

    [Id(2)] public HubSequenceToken Token { get; } = token;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Event is T typed ? [Tuple.Create(typed, (StreamSequenceToken)Token)] : [];

    /// <summary>Records carry no Orleans request context.</summary>
    public bool ImportRequestContext() => false;

    public override string ToString() => $"{StreamId} {Token}";
}
