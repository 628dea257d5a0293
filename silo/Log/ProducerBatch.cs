namespace Hub.Silo.Log;

/// <summary>
/// One stored batch of an idempotent producer, as its producer state remembers it: the sequence range the producer
/// gave it and the offsets it was stored at, which a retry of the same batch gets back.
/// </summary>
internal readonly record struct ProducerBatch(int FirstSequence, int LastSequence, long BaseOffset, long LastOffset);
