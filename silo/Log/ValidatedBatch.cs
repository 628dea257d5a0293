using Hub.Batches;

namespace Hub.Silo.Log;

/// <summary>
/// One batch of an append as <see cref="RecordBatchValidator"/> found it: where it starts in the append's bytes,
/// and its header. Fields rather than properties, so the append's steps read the header in place (<c>in</c>,
/// <c>ref readonly</c>) instead of copying it for every batch.
/// </summary>
internal readonly struct ValidatedBatch(int position, RecordBatchHeader header)
{
    public readonly int Position = position;

    public readonly RecordBatchHeader Header = header;
}
