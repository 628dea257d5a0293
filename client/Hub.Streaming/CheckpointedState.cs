namespace Hub.Streaming;

/// <summary>
/// A grain's state together with how far into each Hub stream it has applied events, stored as one value so
/// both change in the same write. See <see cref="ExactlyOnceConsumer{TState}"/>.
/// </summary>
[GenerateSerializer]
public sealed class CheckpointedState<TState> where TState : new()
{
    [Id(0)] public TState State { get; set; } = new();

    /// <summary>Offset of the last event applied, by stream ("topic/key"); a stream's offsets only grow.</summary>
    [Id(1)] public Dictionary<string, long> LastApplied { get; set; } = [];
}
