namespace Hub.Tests.Streaming;

/// <summary>Records its key of the topic the partition-growth tests add partitions to.</summary>
public interface IGrowingRecorderGrain : IRecorderGrain;

[ImplicitStreamSubscription(StreamingClusterConfigurator.GrowingTopic)]
public sealed class GrowingRecorderGrain()
    : RecorderGrain(StreamingClusterConfigurator.Provider, StreamingClusterConfigurator.GrowingTopic, TimeSpan.Zero), IGrowingRecorderGrain;
