using System.Globalization;

namespace Hub.Faults.Workloads;

/// <summary>
/// What a workload writes as a record's value, "workload/partition/sequence": unique in the run, and read back it
/// says who wrote it, where, and in which order (the sequence counts up per workload and partition).
/// </summary>
public readonly record struct RecordValue(string Workload, int Partition, long Sequence)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Workload}/{Partition}/{Sequence}");
}
