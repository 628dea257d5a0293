using Hub.Batches;

namespace Hub.Silo.Log;

/// <summary>One batch of an append as <see cref="RecordBatchValidator"/> found it: where it starts in the append's bytes, and its header.</summary>
internal readonly record struct ValidatedBatch(int Position, RecordBatchHeader Header);
