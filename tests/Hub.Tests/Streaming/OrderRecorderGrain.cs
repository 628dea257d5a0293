namespace Hub.Tests.Streaming;

/// <summary>Records its key of the orders topic.</summary>
public interface IOrderRecorderGrain : IRecorderGrain;

[ImplicitStreamSubscription(StreamingSiloConfigurator.OrdersTopic)]
public sealed class OrderRecorderGrain()
    : RecorderGrain(StreamingSiloConfigurator.Provider, StreamingSiloConfigurator.OrdersTopic, TimeSpan.Zero), IOrderRecorderGrain;
