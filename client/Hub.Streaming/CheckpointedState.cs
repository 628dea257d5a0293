namespace Hub.Streaming;

/// <summary>
/// A grain's state together with how far into each Hub partition it has applied events, stored as one value
/// so both change in the same write. See <see cref="ExactlyOnceConsumer{TState}"/>.
/// </summary>
[GenerateSerializer]
public sealed class CheckpointedState<TState> where TState : new()
{
    [Id(0)] public TState State { get; set; } = new();

    /// <summary>Next offset to apply, by "topic/partition".</summary>
    [Id(1)] public Dictionary<string, long> NextOffsets { get; set; } = [];
}
