namespace Hub.Faults.History;

/// <summary>A transaction's end as its client saw it.</summary>
public enum TransactionOutcome
{
    /// <summary>CommitTransaction returned: every record must be readable at read_committed, exactly once.</summary>
    Committed,

    /// <summary>AbortTransaction returned (on purpose, or because the client had to abort): no record may be readable at read_committed.</summary>
    Aborted,

    /// <summary>Ending it threw (or it never ended): it may have committed or aborted, but all or nothing.</summary>
    Unknown,
}
