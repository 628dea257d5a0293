using System.Threading.Channels;
using Hub.Batches;
using Record = Hub.Batches.Record;
using Hub.Partitions;
using Hub.Errors;

namespace Hub.Tests.Client;

/// <summary>
/// Stands in for the partition grains: keeps a copy of every batch the accumulator sends and lets the test
/// decide when and how each append is answered.
/// </summary>
internal sealed class RecordingSender
{
    private readonly Channel<SentBatch> _sent = Channel.CreateUnbounded<SentBatch>();

    public Task<AppendResult> SendAsync(string topic, int partition, ReadOnlyMemory<byte> batch)
    {
        var sent = new SentBatch(topic, partition, batch.ToArray()) { Memory = batch };
        _sent.Writer.TryWrite(sent);
        return sent.Reply.Task;
    }

    public async Task<SentBatch> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _sent.Reader.ReadAsync(timeout.Token);
    }

    public bool TryNext(out SentBatch sent) => _sent.Reader.TryRead(out sent!);

    /// <summary>True when nothing is sent within a short while (sends are dispatched to the thread pool).</summary>
    public async Task<bool> StaysQuietAsync()
    {
        await Task.Delay(100);
        return !_sent.Reader.TryPeek(out _);
    }
}

internal sealed record SentBatch(string Topic, int Partition, byte[] Bytes)
{
    public TaskCompletionSource<AppendResult> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The memory the accumulator sent, not a copy: to see whether it is reused after the send.</summary>
    public ReadOnlyMemory<byte> Memory { get; init; }

    public RecordBatchHeader Header => RecordBatchHeader.TryRead(Bytes, out var header) ? header : throw new InvalidDataException();

    public IReadOnlyList<Record> Records()
    {
        var reader = new RecordReader(Bytes);
        var records = new List<Record>();
        while (reader.MoveNext()) records.Add(reader.Current);
        return records;
    }

    public void Refuse(ErrorCode code) => Reply.SetException(new HubException(code, $"refused: {code}"));

    public void Acknowledge(long baseOffset) =>
        Reply.SetResult(new AppendResult(baseOffset, baseOffset + Header.LastOffsetDelta, -1, 0));
}
