using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>Every transaction the history says was written, with its records and how its client saw it end; looked up by record value too.</summary>
internal sealed class TransactionLedger
{
    private readonly Dictionary<string, LedgerTransaction> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LedgerTransaction> _byValue = new(StringComparer.Ordinal);

    public TransactionLedger(IEnumerable<HistoryEvent> history)
    {
        foreach (var e in history)
        {
            switch (e)
            {
                case TransactionWritten written:
                    var transaction = new LedgerTransaction(written);
                    _byName[written.Transaction] = transaction;
                    foreach (var record in written.Records) _byValue[record.Value] = transaction;
                    break;
                case TransactionEnded ended when _byName.TryGetValue(ended.Transaction, out var known):
                    known.Ended = ended;
                    break;
            }
        }
    }

    public IEnumerable<LedgerTransaction> Transactions => _byName.Values;

    public LedgerTransaction? Find(string value) => _byValue.GetValueOrDefault(value);
}
