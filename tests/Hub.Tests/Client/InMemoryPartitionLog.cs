using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Tests.Client;

/// <summary>One partition's batches in memory, with offsets assigned on append and long-polling fetches.</summary>
internal sealed class InMemoryPartitionLog
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _batches = [];
    private long _nextOffset;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubException? _refuseNext;

    public int AppendCalls;

    /// <summary>The next append stores nothing and fails with <paramref name="refusal"/>, as a leader's refusal would.</summary>
    public void RefuseNextAppend(HubException refusal)
    {
        lock (_lock) _refuseNext = refusal;
    }

    public long NextOffset
    {
        get { lock (_lock) return _nextOffset; }
    }

    public AppendResult Append(ReadOnlySpan<byte> batches)
    {
        TaskCompletionSource appended;
        AppendResult result;
        lock (_lock)
        {
            AppendCalls++;
            if (_refuseNext is { } refusal)
            {
                _refuseNext = null;
                throw refusal;
            }
            var first = _nextOffset;
            while (!batches.IsEmpty)
            {
                if (!RecordBatchHeader.TryRead(batches, out var header) || header.TotalSize > batches.Length
                    || header.Crc != RecordBatchHeader.ComputeCrc(batches[..header.TotalSize]))
                    throw new HubException(ErrorCode.CorruptMessage, "bad batch");
                var stored = batches[..header.TotalSize].ToArray(); // as Orleans would: the caller's buffer goes back to a pool
                RecordBatchHeader.WriteBaseOffset(stored, _nextOffset);
                _batches.Add(stored);
                _nextOffset += header.RecordCount;
                batches = batches[header.TotalSize..];
            }
            result = new AppendResult(first, _nextOffset - 1, -1, 0);
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        appended.SetResult();
        return result;
    }

    public async Task<FetchResult> Fetch(FetchRequest request)
    {
        Task appended;
        lock (_lock)
        {
            if (request.Offset > _nextOffset) throw new HubException(ErrorCode.OffsetOutOfRange, $"offset {request.Offset} is past the end");
            if (request.Offset < _nextOffset || request.MaxWaitMs == 0) return Read(request);
            appended = _appended.Task;
        }
        await Task.WhenAny(appended, Task.Delay(request.MaxWaitMs));
        lock (_lock) return Read(request);
    }

    public long ListOffset(long timestamp) => timestamp == OffsetSpec.Earliest ? 0 : NextOffset;

    public PartitionState State()
    {
        lock (_lock) return new PartitionState(0, _nextOffset, _nextOffset, _batches.Sum(b => b.Length), 1);
    }

    /// <summary>Whole batches from the one holding the offset, within MaxBytes unless the first alone is larger.</summary>
    private FetchResult Read(FetchRequest request)
    {
        var selected = new List<byte[]>();
        var size = 0;
        foreach (var batch in _batches)
        {
            RecordBatchHeader.TryRead(batch, out var header);
            if (header.LastOffset < request.Offset) continue;
            if (selected.Count > 0 && size + batch.Length > request.MaxBytes) break;
            selected.Add(batch);
            size += batch.Length;
        }
        return new FetchResult(PooledBatches.Borrow(selected.SelectMany(b => b).ToArray()), _nextOffset, 0);
    }
}
