namespace Hub.Faults.Checking;

/// <summary>
/// What the history says about one record a workload sent: where to, when, and its acknowledgement if one came.
/// <see cref="Order"/> is its place among the workload's sends to the partition (the history is appended in
/// send order by each workload's partition stream).
/// </summary>
internal sealed class ProducedRecord(string workload, int partition, string value, TimeSpan sentAt, int order)
{
    public string Workload => workload;

    public int Partition => partition;

    public string Value => value;

    public TimeSpan SentAt => sentAt;

    public int Order => order;

    public TimeSpan? AckedAt { get; set; }

    public long AckedOffset { get; set; } = -1;

    public bool IsAcked => AckedAt is not null;
}
