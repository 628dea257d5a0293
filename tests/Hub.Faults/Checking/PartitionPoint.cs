namespace Hub.Faults.Checking;

/// <summary>Binary search over a sorted list: where a predicate that is false for a prefix and true after it turns true.</summary>
internal static class PartitionPoint
{
    /// <summary>The index of the first item for which <paramref name="isPast"/> holds, or the count when none does.</summary>
    public static int First<T>(IReadOnlyList<T> sorted, Func<T, bool> isPast)
    {
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            if (isPast(sorted[middle])) high = middle;
            else low = middle + 1;
        }
        return low;
    }
}
