namespace Hub.Client.Producing;

/// <summary>A producer id and the epoch its batches carry (to which an idempotent producer's partitions add their own bumps).</summary>
internal readonly record struct ProducerIdAndEpoch(long Id, short Epoch);
