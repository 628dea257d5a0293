namespace Hub.Faults.Checking;

/// <summary>The log read back, looked up by value (where each value is) and by partition and offset (what is there).</summary>
internal sealed class ReadBackIndex
{
    private readonly Dictionary<string, List<(int Partition, long Offset)>> _byValue = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Dictionary<long, string?>> _byOffset = [];
    private readonly Dictionary<int, PartitionReadBack> _partitions;

    public ReadBackIndex(IReadOnlyList<PartitionReadBack> readBack)
    {
        _partitions = readBack.ToDictionary(p => p.Partition);
        foreach (var partition in readBack)
        {
            var offsets = new Dictionary<long, string?>(partition.Records.Count);
            _byOffset[partition.Partition] = offsets;
            foreach (var record in partition.Records)
            {
                offsets[record.Offset] = record.Value;
                if (record.Value is null) continue;
                if (!_byValue.TryGetValue(record.Value, out var places)) _byValue[record.Value] = places = [];
                places.Add((partition.Partition, record.Offset));
            }
        }
    }

    public IReadOnlyList<PartitionReadBack> Partitions => [.. _partitions.Values];

    /// <summary>Every value read back, with each place it was found.</summary>
    public IEnumerable<KeyValuePair<string, List<(int Partition, long Offset)>>> Values => _byValue;

    public IReadOnlyList<(int Partition, long Offset)> PlacesOf(string value) =>
        _byValue.TryGetValue(value, out var places) ? places : [];

    /// <summary>The partition's records in offset order; none for a partition not read.</summary>
    public IReadOnlyList<StoredRecord> RecordsOf(int partition) => _partitions.TryGetValue(partition, out var p) ? p.Records : [];

    /// <summary>Whether the partition was read completely, so a record missing from it is really missing.</summary>
    public bool IsComplete(int partition) => _partitions.TryGetValue(partition, out var p) && p.Incomplete is null;

    /// <summary>The value at an offset, and whether anything is there.</summary>
    public bool TryGetAt(int partition, long offset, out string? value)
    {
        value = null;
        return _byOffset.TryGetValue(partition, out var offsets) && offsets.TryGetValue(offset, out value);
    }
}
