using System.Globalization;
using System.Text;
using Hub.Silo.Storage;

namespace Hub.Silo.Log;

/// <summary>
/// Where each leader epoch starts in a replica's log, as Kafka's leader-epoch-checkpoint: the pairs (epoch,
/// first offset written in it), ascending in both. A follower compares its last epoch with the leader's
/// cache to find where their logs part (<see cref="EndOffsetFor"/>), so an old leader returning with records
/// nobody acknowledged cuts them instead of keeping a history the new leader never had.
/// <para>
/// Stored in the file "leader-epoch-checkpoint" (a text line "epoch offset" per entry), rewritten durably
/// (<see cref="AtomicFile"/>) on every change; changes come with leader changes and truncations, so they are
/// rare. Entries past the log end are dropped on open (the log's torn tail was cut).
/// </para>
/// </summary>
internal sealed class LeaderEpochCache
{
    public const string FileName = "leader-epoch-checkpoint";

    private readonly string _path;
    private readonly DiskIo _io;
    private readonly List<(int Epoch, long StartOffset)> _entries;

    private LeaderEpochCache(string path, DiskIo io, List<(int, long)> entries)
    {
        _path = path;
        _io = io;
        _entries = entries;
    }

    /// <summary>Epoch of the last entry; -1 when the log never had an epoch.</summary>
    public int LatestEpoch => _entries.Count == 0 ? -1 : _entries[^1].Epoch;

    public static LeaderEpochCache Load(string directory, long logEndOffset, DiskIo io)
    {
        var path = Path.Combine(directory, FileName);
        var entries = new List<(int, long)>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var epoch)
                    && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var offset) && offset < logEndOffset
                    && (entries.Count == 0 || (epoch > entries[^1].Item1 && offset >= entries[^1].Item2)))
                    entries.Add((epoch, offset));
            }
        }
        return new LeaderEpochCache(path, io, entries);
    }

    /// <summary>Notes that batches of <paramref name="epoch"/> start at <paramref name="offset"/>, if that epoch is new.</summary>
    public void Assign(int epoch, long offset)
    {
        if (epoch <= LatestEpoch) return;
        _entries.Add((epoch, offset));
        Persist();
    }

    /// <summary>
    /// For a follower whose last batch has <paramref name="epoch"/>: the largest epoch here not above it, and the
    /// offset where that epoch ends in this log (the next epoch's start, or <paramref name="logEndOffset"/>).
    /// (-1, -1) when this log has no epoch that old: the follower must start over from the log start.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int epoch, long logEndOffset)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Epoch > epoch) continue;
            return (_entries[i].Epoch, i + 1 < _entries.Count ? _entries[i + 1].StartOffset : logEndOffset);
        }
        return (-1, -1);
    }

    /// <summary>The first offset written in <paramref name="epoch"/> or a later one; <paramref name="logEndOffset"/> when none is written yet.</summary>
    public long StartOf(int epoch, long logEndOffset)
    {
        foreach (var entry in _entries)
        {
            if (entry.Epoch >= epoch) return entry.StartOffset;
        }
        return logEndOffset;
    }

    /// <summary>Forgets epochs that start at or after <paramref name="offset"/>: the log was cut there.</summary>
    public void TruncateFromEnd(long offset)
    {
        var count = _entries.FindIndex(e => e.StartOffset >= offset);
        if (count < 0) return;
        _entries.RemoveRange(count, _entries.Count - count);
        Persist();
    }

    /// <summary>Forgets everything: the log restarts empty at a new offset.</summary>
    public void Clear()
    {
        _entries.Clear();
        Persist();
    }

    private void Persist()
    {
        var text = new StringBuilder();
        foreach (var (epoch, offset) in _entries) text.Append(CultureInfo.InvariantCulture, $"{epoch} {offset}").Append('\n');
        AtomicFile.Write(_path, Encoding.UTF8.GetBytes(text.ToString()), _io);
    }
}
