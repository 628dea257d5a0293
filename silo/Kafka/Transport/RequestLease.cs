using System.Buffers;

namespace Hub.Silo.Kafka.Transport;

/// <summary>
/// One request frame in an array rented from <see cref="ArrayPool{T}.Shared"/>, and who may give it back.
/// <para>
/// The connection holds the lease while the request is handled and disposes it afterwards. A handler that lends
/// the bytes to a grain call (Produce's record batches, which the partition grain reads in place within the silo)
/// takes a <see cref="Loan"/> and disposes it once the call has answered. The array goes back to the pool when the
/// lease and every loan are disposed. A loan whose call gave up without an answer (a timeout, a lost silo) is never
/// disposed, because Orleans may still hold the message or the grain still read it: the array is then left to the
/// garbage collector rather than handed to another request under the grain's feet.
/// </para>
/// Each of the lease and its loans is disposed once, by whoever holds it; a second dispose is a bug and throws.
/// </summary>
internal sealed class RequestLease : IDisposable
{
    private readonly int _length;
    private byte[]? _array;

    /// <summary>The lease itself and every loan not yet disposed.</summary>
    private int _holders = 1;

    private int _disposed;

    private RequestLease(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    /// <summary>A lease on a pooled array holding a copy of <paramref name="frame"/>.</summary>
    public static RequestLease CopyOf(in ReadOnlySequence<byte> frame)
    {
        var length = checked((int)frame.Length);
        var array = ArrayPool<byte>.Shared.Rent(length);
        frame.CopyTo(array);
        return new RequestLease(array, length);
    }

    /// <summary>The frame's bytes; valid until the lease and every loan are disposed.</summary>
    public ReadOnlyMemory<byte> Memory => (_array ?? throw Released()).AsMemory(0, _length);

    /// <summary>Keeps the bytes valid until the returned loan is disposed, whenever the lease itself is.</summary>
    public Loan Lend()
    {
        if (Interlocked.Increment(ref _holders) == 1) throw Released(); // nothing held it any more
        return new Loan(this);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) throw new ObjectDisposedException(nameof(RequestLease), "a request lease is disposed once");
        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0 && Interlocked.Exchange(ref _array, null) is { } array)
            ArrayPool<byte>.Shared.Return(array);
    }

    private static ObjectDisposedException Released() => new(nameof(RequestLease), "the request buffer went back to the pool");

    /// <summary>A claim on the frame's bytes for one grain call; dispose it once the call has answered, never if it has not.</summary>
    public sealed class Loan : IDisposable
    {
        private RequestLease? _lease;

        internal Loan(RequestLease lease) => _lease = lease;

        public void Dispose() =>
            (Interlocked.Exchange(ref _lease, null) ?? throw new ObjectDisposedException(nameof(Loan), "a loan is disposed once")).Release();
    }
}
