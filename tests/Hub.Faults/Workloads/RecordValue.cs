using System.Globalization;

namespace Hub.Faults.Workloads;

/// <summary>
/// What a workload writes as a record's value, "workload/partition/sequence": unique in the run, and read back
/// it says who wrote it, where, and in which order (the sequence counts up per workload and partition).
/// </summary>
public readonly record struct RecordValue(string Workload, int Partition, long Sequence)
{
    private const char Separator = '/';

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Workload}{Separator}{Partition}{Separator}{Sequence}");

    /// <summary>Reads a value back; false for anything no workload wrote.</summary>
    public static bool TryParse(string? text, out RecordValue value)
    {
        value = default;
        var parts = text?.Split(Separator);
        if (parts is not { Length: 3 } || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            return false;
        value = new RecordValue(parts[0], partition, sequence);
        return true;
    }
}
