using Hub.Client;

namespace Hub.Tests.Client;

/// <summary>A test class's fixture: the SDK over fresh in-memory grains (one set per test) holding topic "events" of one partition.</summary>
public abstract class InMemoryTopicTests : IAsyncLifetime
{
    private protected InMemoryGrainFactory Cluster { get; } = new();

    private protected HubClient Client { get; }

    protected InMemoryTopicTests() => Client = HubClient.FromGrainFactory(Cluster);

    public Task InitializeAsync() => Client.Admin.CreateTopicAsync("events", 1);

    public Task DisposeAsync() => Client.DisposeAsync().AsTask();
}
