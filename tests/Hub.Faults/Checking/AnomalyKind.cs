namespace Hub.Faults.Checking;

/// <summary>What the checker can find wrong in a run.</summary>
public enum AnomalyKind
{
    /// <summary>An acknowledged record is not in the log read back.</summary>
    Lost,

    /// <summary>A record is in the log more than once (an idempotent producer's retry stored twice).</summary>
    Duplicated,

    /// <summary>An acknowledged record sits before one its workload sent earlier to the same partition.</summary>
    Reordered,

    /// <summary>An acknowledged record is read back somewhere other than the partition and offset its acknowledgement gave.</summary>
    WrongOffset,

    /// <summary>A record was acknowledged while fewer than min.insync.replicas of its replicas could have held it.</summary>
    BelowMinInsync,

    /// <summary>A consumer saw a record at an offset where the log read back holds something else, or nothing.</summary>
    Truncated,

    /// <summary>A partition's leader epoch went down between two metadata samples.</summary>
    EpochWentBack,

    /// <summary>The log read back holds a value no workload sent.</summary>
    Unknown,

    /// <summary>A partition could not be read back to its high watermark, so what lies beyond is unchecked.</summary>
    ReadBackIncomplete,

    /// <summary>A record of a transaction whose commit returned is not read back at read_committed.</summary>
    CommittedTransactionLost,

    /// <summary>A record of a transaction whose abort returned is read back at read_committed, or a read_committed consumer saw it.</summary>
    AbortedTransactionVisible,

    /// <summary>A transaction whose outcome the client could not know is read back in part: some records, not all.</summary>
    TransactionPartial,

    /// <summary>A read_committed consumer skipped a committed record, or saw a transaction's records on a partition in pieces.</summary>
    TransactionGap,
}
