using System.Buffers;
using System.Runtime.InteropServices;

namespace Hub.Partitions;

/// <summary>
/// Concatenated record batches in one contiguous buffer (validation and record walks read one span) that is
/// either <em>owned</em>, rented from <see cref="ArrayPool{T}.Shared"/> for whoever holds this, or <em>borrowed</em>:
/// memory its creator keeps and may reuse once the call carrying it has completed.
/// <para>
/// Ownership across a grain call: Orleans never copies it (<see cref="ImmutableAttribute"/>, shallow copier), so
/// within a silo the callee gets this very object. Through serialization (<see cref="PooledBatchesCodec"/>) the
/// receiver gets an owned buffer rented for it, and an owned buffer goes back to the pool as soon as it is
/// serialized, since a response is sent once. So: a grain call's result gives up an owned buffer to the caller,
/// who disposes it once done with the bytes; a request argument is borrowed (the sender may retry with the same
/// memory) and the callee disposes it when done, which returns only a buffer deserialized for it.
/// </para>
/// Dispose is idempotent; the bytes of an owned buffer must not be used after it (slices taken earlier included).
/// </summary>
[Immutable]
public sealed class PooledBatches : IDisposable
{
    public static readonly PooledBatches Empty = Borrow(ReadOnlyMemory<byte>.Empty);

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _owned;
    private byte[]? _rented;

    private PooledBatches(ReadOnlyMemory<byte> memory, byte[]? rented)
    {
        _memory = memory;
        _rented = rented;
        _owned = rented is not null;
    }

    /// <summary>An owned buffer of <paramref name="length"/> bytes, to be filled through <see cref="Writable"/> before it is handed on.</summary>
    public static PooledBatches Rent(int length)
    {
        if (length == 0) return Empty;
        var array = ArrayPool<byte>.Shared.Rent(length);
        return new PooledBatches(array.AsMemory(0, length), array);
    }

    /// <summary>Wraps memory the caller keeps owning; disposing the wrapper leaves it alone.</summary>
    public static PooledBatches Borrow(ReadOnlyMemory<byte> memory) => new(memory, null);

    public ReadOnlyMemory<byte> Memory => _owned && Volatile.Read(ref _rented) is null ? throw Disposed() : _memory;

    public ReadOnlySpan<byte> Span => Memory.Span;

    public int Length => _memory.Length;

    public bool IsEmpty => _memory.IsEmpty;

    /// <summary>
    /// The bytes, writable: for filling an owned buffer, and for the callee of a call within its silo, to which
    /// the caller handed the memory until the call completes (the log stamps offsets into appended batches).
    /// </summary>
    public Memory<byte> Writable => MemoryMarshal.AsMemory(Memory);

    public void Dispose()
    {
        // Exchange, so two disposals (or a disposal racing the codec) can never return one array twice.
        if (Interlocked.Exchange(ref _rented, null) is { } array) ArrayPool<byte>.Shared.Return(array);
    }

    private static ObjectDisposedException Disposed() => new(nameof(PooledBatches), "the batches' buffer went back to the pool");
}
