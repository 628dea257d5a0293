namespace Hub.Faults.Checking;

/// <summary>A record read back after the run: where it is and what it holds.</summary>
public readonly record struct StoredRecord(long Offset, string? Value);
