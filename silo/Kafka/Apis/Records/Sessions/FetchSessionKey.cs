namespace Hub.Silo.Kafka.Apis.Records.Sessions;

/// <summary>
/// One partition as a Fetch names it: by topic name before v13 (<see cref="TopicId"/> empty), by topic id from v13
/// (<see cref="Topic"/> null). A session keeps the naming it was created with.
/// </summary>
internal readonly record struct FetchSessionKey(string? Topic, Guid TopicId, int Partition)
{
    public bool SameTopic(FetchSessionKey other) => Topic == other.Topic && TopicId == other.TopicId;
}
