namespace Hub.Streaming;

/// <summary>
/// What a subscription gets when it rewinds (subscribes or resumes with a <see cref="HubSequenceToken"/>) to an
/// offset older than its partition's log start, because retention deleted those records.
/// </summary>
public enum RewindBelowLogStart
{
    /// <summary>The stream's earliest retained record and everything after it (Kafka's auto.offset.reset=earliest).</summary>
    FromEarliest,

    /// <summary>
    /// The subscriber's <c>OnErrorAsync</c> receives a <see cref="HubRewindOutOfRangeException"/> naming the requested
    /// and the earliest retained offset; the subscription then goes on with the records that arrive from then on.
    /// </summary>
    Fail,
}
