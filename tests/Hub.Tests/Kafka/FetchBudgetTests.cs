using Hub.Silo.Kafka.Apis.Records;

namespace Hub.Tests.Kafka;

/// <summary>Kafka's max_bytes rule for a whole Fetch response, as <see cref="FetchBudget"/> hands out shares.</summary>
public sealed class FetchBudgetTests
{
    [Fact]
    public void Partitions_share_the_response_in_order_and_those_past_it_read_nothing()
    {
        var budget = new FetchBudget(maxBytes: 1000);
        Assert.Equal(new FetchAllotment(400, WholeFirstBatch: true), budget.Allot(400));
        Assert.Equal(new FetchAllotment(400, WholeFirstBatch: false), budget.Allot(400));
        Assert.Equal(new FetchAllotment(200, WholeFirstBatch: false), budget.Allot(400));
        var past = budget.Allot(400);
        Assert.True(past.ReadsNothing);
    }

    [Fact]
    public void What_a_partition_left_unread_goes_to_the_next_round()
    {
        var budget = new FetchBudget(maxBytes: 1000);
        var first = budget.Allot(1000);
        var second = budget.Allot(1000);
        Assert.True(second.ReadsNothing);
        budget.Settle(first, read: 300);
        budget.Settle(second, read: 0);
        Assert.False(budget.IsSpent);
        Assert.Equal(new FetchAllotment(700, WholeFirstBatch: false), budget.Allot(1000));
    }

    [Fact]
    public void One_share_at_a_time_may_take_a_whole_first_batch_until_the_response_holds_records()
    {
        var budget = new FetchBudget(maxBytes: 100);
        var first = budget.Allot(100);
        Assert.True(first.WholeFirstBatch);
        Assert.False(budget.Allot(100).WholeFirstBatch);

        budget.Settle(first, read: 0); // it had nothing: the next round's first share may take a whole batch
        var again = budget.Allot(100);
        Assert.True(again.WholeFirstBatch);

        budget.Settle(again, read: 5000); // a batch larger than the whole response
        Assert.True(budget.HasRecords);
        Assert.True(budget.IsSpent);
        Assert.True(budget.Allot(100).ReadsNothing);
    }

    [Fact]
    public void A_response_max_bytes_of_zero_still_carries_a_first_batch()
    {
        var budget = new FetchBudget(maxBytes: 0);
        Assert.False(budget.IsSpent);
        Assert.Equal(new FetchAllotment(0, WholeFirstBatch: true), budget.Allot(1 << 20));
    }

    [Fact]
    public void Shares_settled_from_several_threads_at_once_all_come_back()
    {
        // Each settle frees one byte; enough of them, started together, that unsynchronized ones would lose some.
        const int threads = 4, perThread = 2_000_000;
        var budget = new FetchBudget(maxBytes: 0);
        var share = new FetchAllotment(1, WholeFirstBatch: false);
        using var start = new Barrier(threads);
        var settlers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++) budget.Settle(share, read: 0);
        })).ToArray();
        foreach (var settler in settlers) settler.Start();
        foreach (var settler in settlers) Assert.True(settler.Join(TimeSpan.FromSeconds(60)));
        Assert.Equal(new FetchAllotment(threads * perThread, WholeFirstBatch: true), budget.Allot(int.MaxValue));
    }
}
