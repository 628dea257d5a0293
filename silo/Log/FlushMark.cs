namespace Hub.Silo.Log;

/// <summary>
/// The appends a flush covers: every record appended (counted since the log opened) up to when the fsync was
/// started (see <see cref="FlushPolicy.Mark"/>), and when that was. Appends made after it are left for the next flush.
/// </summary>
internal readonly record struct FlushMark(long AppendedRecords, long AtMs);
