using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Support;
using Xunit.Abstractions;

namespace Hub.Tests.Client;

/// <summary>
/// Bytes the SDK consumer allocates per record in steady state, counted by the GC over the whole process: so in a
/// collection of its own that xunit runs with no other test alongside. The partition is in-memory and serves each
/// fetch in a rented buffer, as Orleans' codec does on the client side.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed class ConsumerAllocationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int RecordBytes = 100;
    private const int WarmUpRecords = 50_000;
    private const int MeasuredRecords = 300_000;

    /// <summary>
    /// What an UntilNextBatch consumer may allocate per record: per-fetch and per-batch objects (tasks, channel
    /// entries) spread over the hundreds of records a batch holds come to well under a byte; the rest is slack for
    /// anything else the process does meanwhile. One copy of the data, what an unbounded consumer allocates, is 100+.
    /// </summary>
    private const double PooledMaxBytesPerRecord = 4;

    private readonly InMemoryGrainFactory _cluster = new();
    private HubClient _client = null!;


    public async Task InitializeAsync()
    {
        _client = HubClient.FromGrainFactory(_cluster);
        await _client.Admin.CreateTopicAsync("alloc", 2);
        var record = new ProducerRecord { Value = new byte[RecordBytes] };
        await using var producer = _client.CreateProducer(new ProducerOptions { LingerMs = 5 });
        for (var i = 0; i < WarmUpRecords + MeasuredRecords; i++) producer.Produce("alloc", record);
    }

    public Task DisposeAsync() => _client.DisposeAsync().AsTask();

    [Fact]
    public async Task An_UntilNextBatch_consumer_allocates_nothing_per_record_an_unbounded_one_a_copy_of_the_data()
    {
        var pooled = await AllocatedPerRecordAsync(RecordLifetime.UntilNextBatch);
        var unbounded = await AllocatedPerRecordAsync(RecordLifetime.Unbounded);
        output.WriteLine($"allocated per {RecordBytes} B record: UntilNextBatch {pooled:F2} B, Unbounded {unbounded:F2} B");

        Assert.True(pooled < PooledMaxBytesPerRecord, $"UntilNextBatch allocated {pooled:F2} B per record");
        // About a copy of the data (95-145 B in runs), less where a rent finds an array the producer gave back.
        Assert.True(unbounded > RecordBytes / 2, $"Unbounded allocated {unbounded:F2} B per record: the measurement should see its copies");
    }

    /// <summary>Reads every record one at a time (ConsumeAsync, the per-record path); the bytes allocated past the warm-up, per record.</summary>
    private async Task<double> AllocatedPerRecordAsync(RecordLifetime lifetime)
    {
        await using var consumer = _client.CreateConsumer(new ConsumerOptions { RecordLifetime = lifetime });
        await consumer.AssignAllAsync("alloc", OffsetSpec.Earliest);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        long consumed = 0, checksum = 0, before = 0;
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            checksum += result.Record.Value!.Value.Length;
            if (++consumed == WarmUpRecords) before = GC.GetTotalAllocatedBytes(precise: true);
            if (consumed == WarmUpRecords + MeasuredRecords) break;
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal((WarmUpRecords + MeasuredRecords) * (long)RecordBytes, checksum);
        return allocated / (double)MeasuredRecords;
    }
}
