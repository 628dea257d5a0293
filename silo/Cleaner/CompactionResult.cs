namespace Hub.Silo.Cleaner;

/// <summary>What a <see cref="LogCompactor"/> run wrote, and where the log is clean up to once it is swapped in.</summary>
/// <param name="CleanedUpTo">The offset map's end: the log's first dirty offset after the swap.</param>
internal sealed record CompactionResult(long CleanedUpTo, IReadOnlyList<CleanedSegment> Cleaned, long BytesRead, long BytesWritten)
{
    /// <summary>Deletes the cleaned files: the work is thrown away.</summary>
    public void Discard(Storage.DiskIo io)
    {
        foreach (var cleaned in Cleaned) io.Delete(cleaned.Path);
    }
}
