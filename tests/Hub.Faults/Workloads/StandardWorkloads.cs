namespace Hub.Faults.Workloads;

/// <summary>
/// What a run drives at once: the producer workloads (Confluent.Kafka, kafkajs, the SDK) and the observers
/// (metadata samples, a live consumer). Start them all with the run, stop them (cancel, then await every
/// RunAsync) before reading back with <see cref="ReadBack"/>, so no acknowledgement arrives after the log was read.
/// </summary>
public static class StandardWorkloads
{
    /// <summary>Every workload and observer; throws when one of them cannot run on this machine (kafkajs missing).</summary>
    public static IReadOnlyList<IWorkload> Create()
    {
        if (KafkajsRecordSender.MissingReason is { } missing) throw new InvalidOperationException(missing);
        return
        [
            new ProducerWorkload("confluent", ConfluentRecordSender.ConnectAsync),
            new ProducerWorkload("kafkajs", KafkajsRecordSender.ConnectAsync),
            new ProducerWorkload("sdk", SdkRecordSender.ConnectAsync),
            new MetadataSampler(),
            new LiveConsumer(),
        ];
    }
}
