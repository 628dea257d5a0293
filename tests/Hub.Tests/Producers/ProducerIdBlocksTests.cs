using Hub.Silo.Grains;
using Hub.Silo.Producers;
using Hub.Silo.Storage;
using Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Hub.Tests.Producers;

/// <summary>
/// Producer ids are never handed out twice: each instance stands for an activation of the producer-id grain, all
/// over one real file storage (its ETag check included), with writes that fail before or after they land.
/// </summary>
public sealed class ProducerIdBlocksTests : IDisposable
{
    private static readonly GrainId Grain = GrainId.Create("producer-ids", "0");

    private readonly TempDirectory _root = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly FaultyGrainStorage _storage;

    public ProducerIdBlocksTests() => _storage = new FaultyGrainStorage(new FileGrainStorage(
        new FileGrainStorageOptions
        {
            RootDirectory = _root.Path,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
        },
        _services.GetRequiredService<IActivatorProvider>()));

    public void Dispose()
    {
        _services.Dispose();
        _root.Dispose();
    }

    private async Task<ProducerIdBlocks> ActivateAsync() =>
        new(await StoredState<ProducerIdState>.ActivateAsync(_storage, "producer-ids", Grain));

    private async Task<long> StoredReservation() =>
        (await StoredState<ProducerIdState>.ActivateAsync(_storage, "producer-ids", Grain)).State.ReservedUntil;

    [Fact]
    public async Task Every_id_is_reserved_durably_before_it_is_handed_out_and_a_new_activation_continues_after_the_block()
    {
        var blocks = await ActivateAsync();
        for (var expected = 0L; expected < ProducerIdBlocks.BlockSize + 2; expected++)
        {
            var id = await blocks.Allocate();
            Assert.Equal(expected, id);
            Assert.True(id < await StoredReservation(), $"id {id} was handed out before its block was stored");
        }

        Assert.Equal(2 * ProducerIdBlocks.BlockSize, await (await ActivateAsync()).Allocate());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_failed_reservation_the_activation_hands_out_nothing_more(bool writeLanded)
    {
        var blocks = await ActivateAsync();
        _storage.NextWrite = writeLanded ? FaultyGrainStorage.Fault.LandedButFailed : FaultyGrainStorage.Fault.Lost;

        await Assert.ThrowsAnyAsync<Exception>(blocks.Allocate);
        // The storage works again, but whether the failed write landed is unknown here: only a fresh read can say.
        await Assert.ThrowsAnyAsync<Exception>(blocks.Allocate);

        var next = await (await ActivateAsync()).Allocate();
        Assert.Equal(writeLanded ? ProducerIdBlocks.BlockSize : 0, next);
    }

    [Fact]
    public async Task Of_two_activations_that_read_one_reservation_only_the_first_to_store_the_next_block_hands_it_out()
    {
        var first = await ActivateAsync();
        var second = await ActivateAsync();

        Assert.Equal(0, await first.Allocate());
        await Assert.ThrowsAsync<InconsistentStateException>(second.Allocate);
        await Assert.ThrowsAnyAsync<Exception>(second.Allocate);
        Assert.Equal(1, await first.Allocate());
    }

    [Fact]
    public async Task Activations_started_and_failed_at_random_never_hand_out_an_id_twice()
    {
        var random = new Random(14);
        var handedOut = new HashSet<long>();
        var activations = new List<ProducerIdBlocks>();
        for (var step = 0; step < 3000; step++)
        {
            if (activations.Count == 0 || random.Next(100) == 0) activations.Add(await ActivateAsync());
            if (random.Next(200) == 0) _storage.NextWrite = (FaultyGrainStorage.Fault)random.Next(1, 3);
            var activation = activations[random.Next(activations.Count)];
            try
            {
                var id = await activation.Allocate();
                Assert.True(handedOut.Add(id), $"id {id} was handed out twice");
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                activations.Remove(activation);
            }
        }
        Assert.True(handedOut.Count > 1000);
    }
}
