namespace Hub.Silo.Log;

/// <summary>
/// Validates an append whose batches are compressed before its partition takes it, off the partition grain's turn:
/// decompressing them (up to <see cref="RecordBatchValidator.MaxDecompressedBytesPerAppend"/>) takes up to a few
/// hundred milliseconds, in which the grain goes on serving fetches and other appends, and the append then validates
/// without decompressing again. At most <see cref="Slots"/> checks run at once in a silo; the others wait their turn,
/// so produced batches can take no more than that many cores and that many decompression buffers, whatever arrives.
/// One instance per silo.
/// </summary>
internal sealed class CompressedRecordsCheck
{
    /// <summary>Half the cores (one on a two-core machine): the rest stay free for Orleans (its membership probes) and other requests.</summary>
    public static readonly int Slots = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly SemaphoreSlim _slots = new(Slots, Slots);

    /// <summary>
    /// True when <paramref name="batches"/> hold a compressed batch and are valid (<see cref="RecordBatchValidator.Validate"/>),
    /// checked on the thread pool; false when they hold none and nothing was checked. Throws what validation throws.
    /// </summary>
    public async Task<bool> CheckAsync(ReadOnlyMemory<byte> batches, int maxBatchBytes)
    {
        if (!RecordBatchValidator.HasCompressedBatch(batches.Span)) return false;
        await _slots.WaitAsync();
        try
        {
            await Task.Run(() => RecordBatchValidator.Validate(batches, maxBatchBytes, new ValidatedBatches()));
            return true;
        }
        finally
        {
            _slots.Release();
        }
    }
}
