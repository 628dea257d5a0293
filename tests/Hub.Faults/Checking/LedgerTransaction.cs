using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>One transaction of the ledger: what was written, and its end if the history has one (else its outcome is unknown).</summary>
internal sealed class LedgerTransaction(TransactionWritten written)
{
    public TransactionWritten Written => written;

    public TransactionEnded? Ended { get; set; }

    public TransactionOutcome Outcome => Ended?.Outcome ?? TransactionOutcome.Unknown;

    /// <summary>When it ended, or was written if it never ended: the moment its anomalies are counted against.</summary>
    public TimeSpan At => Ended?.At ?? written.At;

    public string Name => written.Transaction;
}
