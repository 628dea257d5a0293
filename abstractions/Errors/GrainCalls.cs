namespace Hub.Errors;

/// <summary>What the outcome of a grain call says about memory lent to it.</summary>
public static class GrainCalls
{
    /// <summary>
    /// Whether a grain that was handed request memory is certainly done with it: it answered (a result or a
    /// Hub refusal), rather than the call giving up (a timeout, a lost silo) while the message may still be
    /// queued in Orleans or the grain still running.
    /// </summary>
    public static bool Finished(Exception? e) => e is null or HubException;
}
