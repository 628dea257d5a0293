namespace Hub.Cli.Perf;

/// <summary>
/// A fixed-size log-bucketed histogram of non-negative values (HdrHistogram's layout, kept small): values
/// below 2^SubBucketBits each have their own bucket, and every power of two above is split into
/// 2^SubBucketBits equal buckets, so a reported value is at most 1/64 (1.6%) above the true one whatever
/// its size. Recording is lock-free and allocates nothing, so delivery callbacks on many threads can share one.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>One linear group for values below SubBucketCount, then one group per power of two up to 2^62.</summary>
    private readonly long[] _counts = new long[(64 - SubBucketBits) * SubBucketCount];
    private long _totalCount;
    private long _max;

    public long TotalCount => Interlocked.Read(ref _totalCount);

    public long Max => Interlocked.Read(ref _max);

    public void Record(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Interlocked.Increment(ref _counts[BucketOf(value)]);
        Interlocked.Increment(ref _totalCount);
        var max = Interlocked.Read(ref _max);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>
    /// The smallest value that at least <paramref name="percentile"/>% of the recorded values are at or below,
    /// rounded up to its bucket's top (never past the largest value recorded); 0 when nothing was recorded.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var total = TotalCount;
        if (total == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        long seen = 0;
        for (var bucket = 0; bucket < _counts.Length; bucket++)
        {
            seen += Interlocked.Read(ref _counts[bucket]);
            if (seen >= rank) return Math.Min(HighestValueIn(bucket), Max);
        }
        return Max; // only reached when records land while this walks the buckets
    }

    private static int BucketOf(long value)
    {
        if (value < SubBucketCount) return (int)value;
        var shift = 63 - (int)long.LeadingZeroCount(value) - SubBucketBits;
        var subBucket = (int)(value >> shift) - SubBucketCount;
        return (shift + 1) * SubBucketCount + subBucket;
    }

    private static long HighestValueIn(int bucket)
    {
        if (bucket < SubBucketCount) return bucket;
        var shift = bucket / SubBucketCount - 1;
        var mantissa = (long)(bucket % SubBucketCount + SubBucketCount);
        return ((mantissa + 1) << shift) - 1;
    }
}
