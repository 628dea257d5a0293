using Hub.Errors;
using Hub.Silo.Controller;
using Hub.Silo.Storage;
using Hub.Tests.Support;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using static Hub.Tests.Controller.ControllerTesting;

namespace Hub.Tests.Controller;

/// <summary>
/// The controller's store-first rule (issue 14 items 2 and 3) against the real file grain storage: a decision is
/// seen only once stored, a failed or conflicting write fences the instance, and leader epochs never repeat, across
/// two instances at once (two activations) and a write whose answer was lost.
/// </summary>
public sealed class ClusterMetadataStoreTests : TempDirectoryTests
{
    private static readonly GrainId Controller = GrainId.Create("controller", "0");

    /// <summary>Broker 0 leads in epoch 4; all three replicas in sync.</summary>
    private static readonly PartitionAssignment Healthy = new(0, Leader: 0, LeaderEpoch: 4, Replicas: [0, 1, 2], Isr: [0, 1, 2], Version: 7);

    /// <summary>Serialization only, shared by every test.</summary>
    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private readonly IGrainStorage _files;
    private int _fenced;

    public ClusterMetadataStoreTests()
    {
        _files = new FileGrainStorage(
            new FileGrainStorageOptions
            {
                RootDirectory = Temp.Path,
                GrainStorageSerializer = new OrleansGrainStorageSerializer(Services.GetRequiredService<Serializer>()),
            },
            Services.GetRequiredService<IActivatorProvider>());
    }

    [Fact]
    public async Task A_decision_is_seen_only_once_it_is_stored()
    {
        var storage = new ScriptedGrainStorage(_files);
        var store = await LoadedAsync(storage);
        var release = new TaskCompletionSource();
        storage.HoldWrites = release.Task;

        var commit = store.CommitAsync(Topic("orders", Healthy));
        Assert.False(commit.IsCompleted);
        Assert.Empty(store.Topics);

        release.SetResult();
        await commit;
        Assert.Equal(["orders"], store.Topics.Keys);
        Assert.Equal(["orders"], (await LoadedAsync(_files)).Topics.Keys);
    }

    [Fact]
    public async Task A_write_that_keeps_failing_fences_the_store_with_a_retriable_error_and_stores_nothing()
    {
        var storage = new ScriptedGrainStorage(_files);
        var store = await LoadedAsync(storage);
        await store.CommitAsync(Topic("kept", Healthy));
        storage.Down = true;

        var error = await Assert.ThrowsAsync<HubException>(() => store.CommitAsync(Topic("lost", Healthy)));

        Assert.Equal(ErrorCode.RequestTimedOut, error.Code);
        Assert.InRange(storage.WriteAttempts, 2, 4);
        Assert.True(_fenced > 0);
        Assert.False(store.IsReadable);
        Assert.Equal(ErrorCode.RequestTimedOut, Assert.Throws<HubException>(() => store.Topics).Code);
        storage.Down = false;
        Assert.Equal(["kept"], (await LoadedAsync(_files)).Topics.Keys);
    }

    [Fact]
    public async Task A_failed_read_fences_the_store()
    {
        var store = await LoadedAsync(new ScriptedGrainStorage(_files) { Down = true });

        Assert.False(store.IsReadable);
        Assert.Equal(ErrorCode.RequestTimedOut, Assert.Throws<HubException>(() => store.Topics).Code);
        Assert.Equal(ErrorCode.RequestTimedOut, (await Assert.ThrowsAsync<HubException>(() => store.CommitAsync(Topic("t", Healthy)))).Code);
    }

    [Fact]
    public async Task Of_two_instances_deciding_at_once_only_the_first_decision_stands_and_epochs_never_repeat()
    {
        await (await LoadedAsync(_files)).CommitAsync(Topic("t", Healthy));
        var first = await LoadedAsync(_files);
        var second = await LoadedAsync(_files);

        // Broker 0 died; each activation elects a leader for epoch 5 from what it read.
        var byFirst = LeaderElection.Reelect(first.Topics["t"].Partitions[0], Live(1, 2))!;
        var bySecond = LeaderElection.Reelect(second.Topics["t"].Partitions[0] with { Isr = [0, 2] }, Live(1, 2))!;
        Assert.Equal((1, 5), (byFirst.Leader, byFirst.LeaderEpoch));
        Assert.Equal((2, 5), (bySecond.Leader, bySecond.LeaderEpoch));
        await first.CommitAsync([new PartitionChange("t", byFirst)]);
        var error = await Assert.ThrowsAsync<HubException>(() => second.CommitAsync([new PartitionChange("t", bySecond)]));

        Assert.Equal(ErrorCode.RequestTimedOut, error.Code);
        Assert.False(second.IsReadable);
        var reloaded = await LoadedAsync(_files);
        Assert.Equivalent(byFirst, reloaded.Topics["t"].Partitions[0], strict: true);
        // The next activation decides from what was stored: broker 1 dies too, broker 2 leads in epoch 6.
        var next = LeaderElection.Reelect(reloaded.Topics["t"].Partitions[0], Live(2))!;
        Assert.Equal((2, 6), (next.Leader, next.LeaderEpoch));
    }

    [Fact]
    public async Task A_write_whose_answer_was_lost_fences_the_store_and_the_next_instance_decides_after_it()
    {
        await (await LoadedAsync(_files)).CommitAsync(Topic("t", Healthy));
        var storage = new ScriptedGrainStorage(_files) { LoseAnswers = 1 };
        var store = await LoadedAsync(storage);
        var elected = LeaderElection.Reelect(store.Topics["t"].Partitions[0], Live(1, 2))!;

        // The write landed; a retry would carry the ETag read before it and lose to it.
        var error = await Assert.ThrowsAsync<HubException>(() => store.CommitAsync([new PartitionChange("t", elected)]));

        Assert.Equal(ErrorCode.RequestTimedOut, error.Code);
        var reloaded = await LoadedAsync(_files);
        Assert.Equivalent(elected, reloaded.Topics["t"].Partitions[0], strict: true);
        var next = LeaderElection.Reelect(reloaded.Topics["t"].Partitions[0], Live(2))!;
        Assert.Equal(elected.LeaderEpoch + 1, next.LeaderEpoch);
        Assert.True(next.Version > elected.Version);
    }

    private async Task<ClusterMetadataStore> LoadedAsync(IGrainStorage storage)
    {
        var store = new ClusterMetadataStore(storage, Controller, TimeProvider.System, () => _fenced++, NullLogger.Instance);
        await store.LoadAsync();
        return store;
    }
}
