namespace Hub.Silo.Cleaner;

/// <summary>What a <see cref="LogCompactor"/> run wrote, and where the log is clean up to once it is swapped in.</summary>
/// <param name="CleanedUpTo">The offset map's end: the log's first dirty offset after the swap.</param>
/// <param name="RemovedMarkers">Offsets of the transaction markers the cleaned segments no longer hold.</param>
internal sealed record CompactionResult(long CleanedUpTo, IReadOnlyList<CleanedSegment> Cleaned, IReadOnlyList<long> RemovedMarkers, long BytesRead, long BytesWritten)
{
    /// <summary>Deletes the cleaned files: the work is thrown away. One left behind (its directory gone, say) goes when the log next opens.</summary>
    public void Discard()
    {
        foreach (var cleaned in Cleaned)
        {
            try
            {
                File.Delete(cleaned.Path);
            }
            catch (IOException)
            {
                // The partition's directory was deleted meanwhile, or the disk fails: nothing of the log depends on it.
            }
        }
    }
}
