using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using StackExchange.Redis;

namespace Hub.Tests.Storage;

/// <summary>
/// The Redis grain storage a multi-silo Hub keeps its metadata in, against a real Redis: a writer whose ETag is
/// stale must be refused, or two controller activations could both store decisions (issue 14 item 2). The file
/// storage's side of this is in <see cref="FileGrainStorageTests"/>.
/// </summary>
public sealed class RedisGrainStorageEtagTests : IAsyncLifetime
{
    private const string StateName = "cluster";

    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private readonly TempDirectory _data = new();
    private RedisProcess _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisProcess.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_writer_with_a_stale_etag_is_refused()
    {
        await using var first = await StartedStorageAsync();
        await using var second = await StartedStorageAsync();
        var id = GrainId.Create("controller", "0");
        await first.WriteStateAsync(StateName, id, new GrainState<NotebookState>(new NotebookState { Title = "initial" }));
        var current = await ReadAsync(first, id);
        var stale = await ReadAsync(second, id);
        current.State!.Title = "current";
        await first.WriteStateAsync(StateName, id, current);

        stale.State!.Title = "stale";
        await Assert.ThrowsAsync<InconsistentStateException>(() => second.WriteStateAsync(StateName, id, stale));

        Assert.Equal("current", (await ReadAsync(second, id)).State!.Title);
    }

    [Fact]
    public async Task Of_two_writers_that_both_found_no_state_the_second_is_refused()
    {
        await using var first = await StartedStorageAsync();
        await using var second = await StartedStorageAsync();
        var id = GrainId.Create("controller", "0");
        var byFirst = await ReadAsync(first, id);
        var bySecond = await ReadAsync(second, id);
        Assert.False(byFirst.RecordExists);

        byFirst.State!.Title = "first";
        await first.WriteStateAsync(StateName, id, byFirst);
        bySecond.State!.Title = "second";
        await Assert.ThrowsAsync<InconsistentStateException>(() => second.WriteStateAsync(StateName, id, bySecond));

        Assert.Equal("first", (await ReadAsync(second, id)).State!.Title);
    }

    /// <summary>A storage instance as a silo has it (its own connection), started the way the silo lifecycle starts it.</summary>
    private async Task<RedisGrainStorage> StartedStorageAsync()
    {
        var storage = new RedisGrainStorage(
            "hub",
            new RedisStorageOptions { ConfigurationOptions = ConfigurationOptions.Parse(_redis.ConnectionString) },
            new OrleansGrainStorageSerializer(Services.GetRequiredService<Serializer>()),
            Options.Create(new ClusterOptions { ServiceId = "etag-test" }),
            Services.GetRequiredService<IActivatorProvider>(),
            NullLogger<RedisGrainStorage>.Instance);
        var lifecycle = new StartingLifecycle();
        storage.Participate(lifecycle);
        foreach (var observer in lifecycle.Observers) await observer.OnStart(CancellationToken.None);
        return storage;
    }

    private static async Task<GrainState<NotebookState>> ReadAsync(IGrainStorage storage, GrainId id)
    {
        var state = new GrainState<NotebookState>(new NotebookState());
        await storage.ReadStateAsync(StateName, id, state);
        return state;
    }

    /// <summary>Collects what subscribes, so the test can start it (the provider connects to Redis on start).</summary>
    private sealed class StartingLifecycle : ISiloLifecycle
    {
        public List<ILifecycleObserver> Observers { get; } = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            Observers.Add(observer);
            return new CancellationTokenSource();
        }
    }
}
