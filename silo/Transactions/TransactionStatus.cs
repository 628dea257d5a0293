namespace Hub.Silo.Transactions;

/// <summary>Kafka's transaction states, as a coordinator stores them (KIP-98).</summary>
public enum TransactionStatus
{
    /// <summary>Initialized (InitProducerId), no partition added yet.</summary>
    Empty = 0,

    /// <summary>Partitions or a group added: records may be in the logs, not yet decided.</summary>
    Ongoing = 1,

    /// <summary>Decided to commit (durably): markers are being written.</summary>
    PrepareCommit = 2,

    /// <summary>Decided to abort (durably): markers are being written.</summary>
    PrepareAbort = 3,

    CompleteCommit = 4,
    CompleteAbort = 5,
}
