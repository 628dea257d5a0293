namespace Hub.Streaming;

/// <summary>
/// A grain's state together with how far into each Hub stream it has applied events, stored as one value so
/// both change in the same write. See <see cref="ExactlyOnceConsumer{TState}"/>.
/// </summary>
[GenerateSerializer]
public sealed class CheckpointedState<TState> where TState : new()
{
    [Id(0)] public TState State { get; set; } = new();

    /// <summary>
    /// Offset of the last event applied, by stream ("topic/key") and partition: a stream's events come from a
    /// second partition once its topic gains partitions, and each partition's offsets only grow.
    /// </summary>
    [Id(2)] public Dictionary<string, Dictionary<int, long>> Applied { get; set; } = [];

    /// <summary>
    /// Offset of the last event applied, by stream, as written before positions were kept per partition. Read on
    /// <see cref="ExactlyOnceConsumer{TState}.SubscribeAsync{T}"/> and moved into <see cref="Applied"/> (empty after
    /// the next write); kept so state stored by earlier versions still loads.
    /// </summary>
    [Id(1)] public Dictionary<string, long> LastApplied { get; set; } = [];
}
