using System.Collections.Concurrent;
using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Log;

namespace Hub.Tests.Client;

/// <summary>
/// One partition's batches in memory, with offsets assigned on append, the silo's idempotent-producer check
/// (<see cref="ProducerStateTable"/>) and long-polling fetches.
/// </summary>
internal sealed class InMemoryPartitionLog
{
    private readonly Lock _lock = new();
    private readonly ValidatedBatches _appending = new();
    private readonly ProducerStateTable _producers = new(ProducerStateTable.DefaultExpiration);
    private int _answersToLose;
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

    /// <summary>The next <paramref name="count"/> appends are stored (or recognised as duplicates) but answered with a timeout, as when the answer is lost.</summary>
    public void LoseNextAnswers(int count = 1)
    {
        lock (_lock) _answersToLose = count;
    }

    public long NextOffset
    {
        get { lock (_lock) return _nextOffset; }
    }

    public AppendResult Append(ReadOnlySpan<byte> batches)
    {
        TaskCompletionSource appended;
        AppendResult result;
        bool answerLost;
        lock (_lock)
        {
            AppendCalls++;
            if (_refuseNext is { } refusal)
            {
                _refuseNext = null;
                throw refusal;
            }
            result = Store(batches);
            answerLost = _answersToLose > 0;
            if (answerLost) _answersToLose--;
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        appended.SetResult();
        return answerLost ? throw new TimeoutException("the answer was lost") : result;
    }

    private AppendResult Store(ReadOnlySpan<byte> batches)
    {
        _appending.Clear();
        for (var position = 0; position < batches.Length;)
        {
            if (!RecordBatchHeader.TryRead(batches[position..], out var header) || header.TotalSize > batches.Length - position
                || header.Crc != RecordBatchHeader.ComputeCrc(batches.Slice(position, header.TotalSize)))
                throw new HubException(ErrorCode.CorruptMessage, "bad batch");
            _appending.Add(position, header);
            position += header.TotalSize;
        }
        if (_producers.Check(_appending) is { } duplicate) return new AppendResult(duplicate.BaseOffset, duplicate.LastOffset, -1, 0);
        var first = _nextOffset;
        foreach (ref readonly var batch in _appending.Batches)
        {
            var stored = batches.Slice(batch.Position, batch.Header.TotalSize).ToArray(); // as Orleans would: the caller's buffer goes back to a pool
            RecordBatchHeader.WriteBaseOffset(stored, _nextOffset);
            RecordBatchHeader.TryRead(stored, out var storedHeader);
            _producers.Record(storedHeader, appendMs: 0);
            _batches.Add(stored);
            _nextOffset += batch.Header.RecordCount;
        }
        return new AppendResult(first, _nextOffset - 1, -1, 0);
    }

    public async Task<FetchResult> Fetch(FetchRequest request)
    {
        FetchRequests.Enqueue(request);
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

    /// <summary>Every fetch's request, in order (their isolation levels are what the tests look at).</summary>
    public ConcurrentQueue<FetchRequest> FetchRequests { get; } = new();

    /// <summary>When set, every fetch reply served is added here, so a test can see which went back to the pool.</summary>
    public ConcurrentQueue<PooledBatches>? ServedReplies { get; set; }

    public PartitionState State()
    {
        lock (_lock) return new PartitionState(0, _nextOffset, _nextOffset, _batches.Sum(b => b.Length), 1, 0);
    }

    /// <summary>
    /// Whole batches from the one holding the offset, within MaxBytes unless the first alone is larger, in a buffer
    /// rented for the caller, who owns it: what Orleans' codec hands a caller in another process.
    /// </summary>
    private FetchResult Read(FetchRequest request)
    {
        int first = -1, end = 0, size = 0;
        for (var i = 0; i < _batches.Count; i++)
        {
            RecordBatchHeader.TryRead(_batches[i], out var header);
            if (header.LastOffset < request.Offset) continue;
            if (first >= 0 && size + _batches[i].Length > request.MaxBytes) break;
            if (first < 0) first = i;
            end = i + 1;
            size += _batches[i].Length;
        }
        var reply = PooledBatches.Rent(size);
        var at = 0;
        for (var i = Math.Max(first, 0); i < end; i++)
        {
            _batches[i].CopyTo(reply.Writable.Span[at..]);
            at += _batches[i].Length;
        }
        ServedReplies?.Enqueue(reply);
        return new FetchResult(reply, _nextOffset, 0);
    }
}
