namespace Hub.Silo.Kafka.Apis.Records.Sessions;

/// <summary>
/// What a Fetch asks of one partition: a request's entry, or a session's partition as it stands (a copy, so a later
/// request changing the session doesn't change a fetch under way).
/// </summary>
internal readonly record struct FetchSessionEntry(FetchSessionKey Key, long FetchOffset, int MaxBytes, int CurrentLeaderEpoch);
