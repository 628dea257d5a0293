namespace Hub.Client.Partitioning;

/// <summary>Picks partitions for records without a key, per topic.</summary>
internal interface INullKeyPartitioner
{
    int NextPartition(int partitionCount);

    /// <summary>Told when a batch for <paramref name="partition"/> closed (full or lingered), i.e. is about to be sent.</summary>
    void OnBatchClosed(int partition, int partitionCount);
}
