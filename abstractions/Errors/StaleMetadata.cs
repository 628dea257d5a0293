namespace Hub.Errors;

/// <summary>
/// The one rule for when a caller's topic metadata is out of date: the errors after which a client refreshes
/// the topic's metadata (where its partitions are led) and retries, as Kafka's clients do on the errors its
/// protocol marks as invalid metadata. Every front door (the SDK's router, the Kafka gateway's cache, the
/// key-ordered dispatcher's consumers) asks here.
/// </summary>
public static class StaleMetadata
{
    /// <summary>
    /// Whether <paramref name="code"/> says the caller's view of a partition is stale: the topic or partition is
    /// unknown (deleted, re-created, or partitions added), the replica called is not the leader, the partition has no
    /// leader yet, the caller named an older leader epoch than the replica's (a leader was elected since), or the
    /// replica's log directory failed (KAFKA_STORAGE_ERROR: the controller moves its leadership to another broker).
    /// </summary>
    public static bool IsSignalledBy(ErrorCode code) =>
        code is ErrorCode.UnknownTopicOrPartition or ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable or ErrorCode.FencedLeaderEpoch
            or ErrorCode.KafkaStorageError;
}
