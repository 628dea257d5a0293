using System.Buffers.Binary;
using Hub.Partitions;
using Hub.Silo.Storage;
using Microsoft.Win32.SafeHandles;

namespace Hub.Silo.Log;

/// <summary>
/// A log's aborted transactions (Kafka's transaction index, one file per log here rather than per segment), in the
/// order their abort markers were stored, in memory and in "aborted.txnindex" beside the segments: entries of
/// <c>producer id int64 | first offset int64 | marker offset int64</c>, big-endian, appended as markers are stored.
/// <para>
/// The file is fsynced before every producer snapshot (<see cref="Flush"/>), so each entry below a snapshot's offset
/// is on disk; the log drops those from its replay point on when it opens and finds them again in the replay. A torn
/// last entry is ignored. Rewritten whole (<see cref="AtomicFile"/>) when a tail is cut, retention removes the oldest or
/// the cleaner removes markers.
/// </para>
/// </summary>
internal sealed class AbortedTransactionIndex : IDisposable
{
    public const string FileName = "aborted.txnindex";
    private const int EntrySize = 3 * sizeof(long);

    private readonly string _path;
    private readonly DiskIo _io;
    private readonly List<AbortedTransaction> _entries;
    private SafeFileHandle? _file;
    private long _fileLength;
    private bool _unflushed;

    private AbortedTransactionIndex(string path, DiskIo io, List<AbortedTransaction> entries)
    {
        _path = path;
        _io = io;
        _entries = entries;
        _fileLength = entries.Count * (long)EntrySize;
    }

    public int Count => _entries.Count;

    /// <summary>Reads the index in <paramref name="directory"/>, keeping the entries whose markers lie in [<paramref name="logStart"/>, <paramref name="replayFrom"/>).</summary>
    public static AbortedTransactionIndex Open(string directory, long logStart, long replayFrom, DiskIo io)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.DeleteTornWrite(path);
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var entries = new List<AbortedTransaction>(bytes.Length / EntrySize);
        for (var position = 0; position + EntrySize <= bytes.Length; position += EntrySize)
        {
            var span = bytes.AsSpan(position);
            entries.Add(new AbortedTransaction(BinaryPrimitives.ReadInt64BigEndian(span), BinaryPrimitives.ReadInt64BigEndian(span[8..]),
                BinaryPrimitives.ReadInt64BigEndian(span[16..])));
        }
        var index = new AbortedTransactionIndex(path, io, entries);
        var kept = entries.Count(e => e.LastOffset >= logStart && e.LastOffset < replayFrom);
        if (kept != entries.Count || bytes.Length % EntrySize != 0) index.Keep(e => e.LastOffset >= logStart && e.LastOffset < replayFrom);
        return index;
    }

    public void Add(AbortedTransaction aborted)
    {
        _entries.Add(aborted);
        Span<byte> entry = stackalloc byte[EntrySize];
        Encode(aborted, entry);
        if (_file is null)
        {
            _file = _io.Open(_path, FileMode.OpenOrCreate);
            // The file's name must survive a power loss as its entries do.
            if (_fileLength == 0) _io.FsyncDirectory(Path.GetDirectoryName(_path)!);
        }
        _io.Write(_file, entry, _fileLength);
        _fileLength += EntrySize;
        _unflushed = true;
    }

    /// <summary>The aborted transactions with records in [<paramref name="from"/>, <paramref name="to"/>): marker at or after from, first offset before to.</summary>
    public AbortedTransaction[] Overlapping(long from, long to)
    {
        List<AbortedTransaction>? found = null;
        // Markers are in offset order: those before from end the scan from the back.
        for (var i = _entries.Count - 1; i >= 0 && _entries[i].LastOffset >= from; i--)
        {
            if (_entries[i].FirstOffset < to) (found ??= []).Add(_entries[i]);
        }
        if (found is null) return [];
        found.Reverse();
        return [.. found];
    }

    /// <summary>Drops entries whose markers are at or past <paramref name="end"/> (a cut tail).</summary>
    public void TruncateFrom(long end)
    {
        if (_entries.Count > 0 && _entries[^1].LastOffset >= end) Keep(e => e.LastOffset < end);
    }

    /// <summary>Drops entries whose markers are before <paramref name="logStart"/> (deleted by retention).</summary>
    public void RemoveBefore(long logStart)
    {
        if (_entries.Count > 0 && _entries[0].LastOffset < logStart) Keep(e => e.LastOffset >= logStart);
    }

    /// <summary>Drops the entries of the abort markers at <paramref name="markerOffsets"/> (the cleaner removed them), durably.</summary>
    public void RemoveMarkers(IReadOnlyList<long> markerOffsets)
    {
        var removed = markerOffsets.ToHashSet();
        if (_entries.Exists(e => removed.Contains(e.LastOffset))) Keep(e => !removed.Contains(e.LastOffset));
    }

    /// <summary>fsyncs entries added since the last flush.</summary>
    public void Flush()
    {
        if (!_unflushed || _file is null) return;
        _io.Fsync(_file);
        _unflushed = false;
    }

    public void Dispose() => _file?.Dispose();

    private void Keep(Predicate<AbortedTransaction> keep)
    {
        _entries.RemoveAll(e => !keep(e));
        var bytes = new byte[_entries.Count * EntrySize];
        for (var i = 0; i < _entries.Count; i++) Encode(_entries[i], bytes.AsSpan(i * EntrySize));
        _file?.Dispose();
        _file = null;
        AtomicFile.Write(_path, bytes, _io);
        _fileLength = bytes.Length;
        _unflushed = false;
    }

    private static void Encode(AbortedTransaction aborted, Span<byte> entry)
    {
        BinaryPrimitives.WriteInt64BigEndian(entry, aborted.ProducerId);
        BinaryPrimitives.WriteInt64BigEndian(entry[8..], aborted.FirstOffset);
        BinaryPrimitives.WriteInt64BigEndian(entry[16..], aborted.LastOffset);
    }
}
