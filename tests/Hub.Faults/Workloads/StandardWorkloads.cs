namespace Hub.Faults.Workloads;

/// <summary>
/// What a run drives at once: the producer workloads and the observers. Start them all with the run, stop them
/// (cancel, then await every RunAsync) before reading back with <see cref="ReadBack"/>, so no acknowledgement
/// arrives after the log was read.
/// </summary>
public static class StandardWorkloads
{
    public static IReadOnlyList<IWorkload> Create() =>
    [
        new ProducerWorkload("confluent", ConfluentRecordSender.ConnectAsync),
        new LiveConsumer(),
    ];
}
