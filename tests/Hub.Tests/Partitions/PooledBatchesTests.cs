using System.Buffers;
using Hub.Partitions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Hub.Tests.Partitions;

/// <summary>Who owns a <see cref="PooledBatches"/> buffer, through Orleans' real serializer and copier.</summary>
public sealed class PooledBatchesTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    [Fact]
    public void An_owned_result_goes_back_to_the_pool_once_serialized_and_the_receiver_owns_a_rented_copy()
    {
        var bytes = Pattern(100_000);
        var owned = PooledBatches.Rent(bytes.Length);
        bytes.CopyTo(owned.Writable);

        var wire = Serializer.SerializeToArray(new FetchResult(owned, 7, 3));

        // Sent once, so the codec returned the buffer: the sender can no longer read it (rather than read reused memory).
        Assert.Throws<ObjectDisposedException>(() => owned.Memory);
        var received = Serializer.Deserialize<FetchResult>(wire);
        Assert.Equal(bytes, received.Records.Memory.ToArray());
        Assert.Equal((7L, 3L), (received.HighWatermark, received.LogStartOffset));
        received.Records.Dispose();
        Assert.Throws<ObjectDisposedException>(() => received.Records.Memory);
    }

    [Fact]
    public void A_borrowed_request_can_be_sent_again_and_disposing_it_leaves_the_memory_alone()
    {
        var bytes = Pattern(5_000);
        var borrowed = PooledBatches.Borrow(bytes);

        var first = Serializer.SerializeToArray(borrowed);
        var retry = Serializer.SerializeToArray(borrowed);
        borrowed.Dispose();

        Assert.Equal(first, retry);
        Assert.Equal(bytes, borrowed.Memory.ToArray());
        using var received = Serializer.Deserialize<PooledBatches>(retry)!;
        Assert.Equal(bytes, received.Memory.ToArray());
    }

    [Fact]
    public void Disposing_twice_returns_the_buffer_once()
    {
        // Large enough that nothing else in the process is likely to rent this size class meanwhile.
        const int Size = 3 << 20;
        var batches = PooledBatches.Rent(Size);
        batches.Dispose();
        batches.Dispose();

        // Had the array gone back twice, the pool would hand it out to two renters at once.
        var first = ArrayPool<byte>.Shared.Rent(Size);
        var second = ArrayPool<byte>.Shared.Rent(Size);
        Assert.NotSame(first, second);
        ArrayPool<byte>.Shared.Return(first);
        ArrayPool<byte>.Shared.Return(second);
    }

    [Fact]
    public void Copying_within_a_silo_hands_over_the_same_buffer()
    {
        var result = new FetchResult(PooledBatches.Rent(10), 1, 0);
        var copy = _services.GetRequiredService<DeepCopier>().Copy(result);
        Assert.Same(result.Records, copy.Records);
    }

    [Fact]
    public void Empty_batches_are_never_rented()
    {
        Assert.Same(PooledBatches.Empty, PooledBatches.Rent(0));
        using var received = Serializer.Deserialize<PooledBatches>(Serializer.SerializeToArray(PooledBatches.Empty))!;
        Assert.True(received.IsEmpty);
    }

    public void Dispose() => _services.Dispose();

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 7)).ToArray();
}
