using System.IO.Hashing;

namespace Hub.Silo.Cleaner;

/// <summary>
/// The newest offset of each key in the dirty part of a log, as Kafka's SkimpyOffsetMap keeps it: keyed by a 128-bit
/// hash of the key rather than the key (a collision among 2^64 keys' worth of hashes is not a practical risk, and
/// Kafka takes the same one with MD5), so an entry costs the same whatever the key's size. Bounded by
/// <see cref="Capacity"/>, which the cleaner's share of log.cleaner.dedupe.buffer.size sets.
/// </summary>
internal sealed class OffsetMap(int capacity)
{
    /// <summary>Memory one entry takes in a .NET dictionary: 16-byte hash, 8-byte offset, hash code, chain link and bucket.</summary>
    public const int BytesPerEntry = 40;

    private readonly Dictionary<UInt128, long> _offsets = [];

    public int Capacity { get; } = Math.Max(1, capacity);

    public int Count => _offsets.Count;

    /// <summary>Whether <paramref name="records"/> more keys might not fit.</summary>
    public bool WouldOverflow(int records) => Count + (long)records > Capacity;

    public void Put(ReadOnlySpan<byte> key, long offset) => _offsets[XxHash128.HashToUInt128(key)] = offset;

    /// <summary>The newest offset seen for <paramref name="key"/>; -1 when the map has none.</summary>
    public long NewestOffsetOf(ReadOnlySpan<byte> key) => _offsets.TryGetValue(XxHash128.HashToUInt128(key), out var offset) ? offset : -1;
}
