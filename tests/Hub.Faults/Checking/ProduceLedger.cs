using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>Every record the history says was sent, by value, with its acknowledgement.</summary>
internal sealed class ProduceLedger
{
    private readonly Dictionary<string, ProducedRecord> _byValue = new(StringComparer.Ordinal);

    public ProduceLedger(IEnumerable<HistoryEvent> history)
    {
        var sendsPerStream = new Dictionary<(string Workload, int Partition), int>();
        foreach (var e in history)
        {
            switch (e)
            {
                case ProduceSent sent:
                    var stream = (sent.Workload, sent.Partition);
                    var order = sendsPerStream.GetValueOrDefault(stream);
                    sendsPerStream[stream] = order + 1;
                    _byValue[sent.Value] = new ProducedRecord(sent.Workload, sent.Partition, sent.Value, sent.At, order);
                    break;
                case ProduceAcked acked when _byValue.TryGetValue(acked.Value, out var record):
                    record.AckedAt = acked.At;
                    record.AckedOffset = acked.Offset;
                    break;
            }
        }
    }

    public IEnumerable<ProducedRecord> Records => _byValue.Values;

    public IEnumerable<ProducedRecord> Acked => _byValue.Values.Where(r => r.IsAcked);

    public ProducedRecord? Find(string? value) => value is not null && _byValue.TryGetValue(value, out var record) ? record : null;
}
