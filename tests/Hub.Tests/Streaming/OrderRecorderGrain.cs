namespace Hub.Tests.Streaming;

/// <summary>Records its key of the orders topic.</summary>
public interface IOrderRecorderGrain : IRecorderGrain;

[ImplicitStreamSubscription(StreamingClusterConfigurator.OrdersTopic)]
public sealed class OrderRecorderGrain()
    : RecorderGrain(StreamingClusterConfigurator.Provider, StreamingClusterConfigurator.OrdersTopic, TimeSpan.Zero), IOrderRecorderGrain;
