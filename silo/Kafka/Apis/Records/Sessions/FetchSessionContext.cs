using Hub.Errors;

namespace Hub.Silo.Kafka.Apis.Records.Sessions;

/// <summary>
/// How one Fetch is answered as to sessions: a top-level error, or the partitions to read, with the session (if any)
/// whose id the response carries and which decides what an incremental response lists.
/// </summary>
internal sealed record FetchSessionContext(ErrorCode Error, FetchSession? Session, bool Incremental, IReadOnlyList<FetchSessionEntry> Partitions)
{
    public static FetchSessionContext Failed(ErrorCode error) => new(error, null, false, []);

    public static FetchSessionContext Full(IReadOnlyList<FetchSessionEntry> partitions, FetchSession? session = null) => new(ErrorCode.None, session, false, partitions);

    /// <summary>The session id the response carries: 0 when there is none.</summary>
    public int ResponseSessionId => Session?.Id ?? 0;

    /// <summary>Whether the response lists this partition (see <see cref="FetchSession.Answer"/>); every one without a session.</summary>
    public bool Answer(FetchSessionKey key, long highWatermark, long lastStableOffset, long logStartOffset, bool hasRecords, ErrorCode error) =>
        Session is null || Session.Answer(key, highWatermark, lastStableOffset, logStartOffset, hasRecords, error, Incremental);
}
