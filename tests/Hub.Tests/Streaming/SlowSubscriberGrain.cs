namespace Hub.Tests.Streaming;

/// <summary>Records its key of the slow topic, slower than Hub delivers, so the cache fills up.</summary>
public interface ISlowSubscriberGrain : IRecorderGrain;

[ImplicitStreamSubscription(StreamingClusterConfigurator.SlowTopic)]
public sealed class SlowSubscriberGrain()
    : RecorderGrain(StreamingClusterConfigurator.SlowProvider, StreamingClusterConfigurator.SlowTopic, Delay), ISlowSubscriberGrain
{
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(2);
}
