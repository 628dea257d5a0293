using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Transactions;
using Hub.Tests.Support;
using Hub.Transactions;

namespace Hub.Tests.Transactions;

/// <summary>What <see cref="TransactionCoordinator.Describe"/> reports in each state (DescribeTransactions, ListTransactions).</summary>
public sealed class TransactionDescribeTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void An_id_never_initialized_is_not_found()
    {
        var coordinator = new TransactionCoordinator(new TransactionMetadata(), _clock);
        Assert.Equal(ErrorCode.TransactionalIdNotFound, Assert.Throws<HubException>(() => coordinator.Describe("tx")).Code);
    }

    [Fact]
    public void An_ongoing_transaction_shows_its_start_and_ordered_partitions_and_a_complete_one_neither()
    {
        var coordinator = new TransactionCoordinator(new TransactionMetadata(), _clock);
        coordinator.Init(30_000, newProducerId: 42);
        var empty = coordinator.Describe("tx");
        Assert.Equal(("tx", TransactionStatus.Empty, 42L, (short)0, 30_000, -1L, 0),
            (empty.TransactionalId, empty.State, empty.ProducerId, empty.ProducerEpoch, empty.TimeoutMs, empty.StartedMs, empty.Partitions.Length));

        var started = _clock.NowMs;
        coordinator.AddPartitions(42, 0, [new TopicPartition("b", 0), new TopicPartition("a", 2), new TopicPartition("a", 1)]);
        _clock.Advance(500);
        var ongoing = coordinator.Describe("tx");
        Assert.Equal((TransactionStatus.Ongoing, started), (ongoing.State, ongoing.StartedMs));
        Assert.Equal(["a/1", "a/2", "b/0"], ongoing.Partitions.Select(p => p.ToString()));

        coordinator.Prepare(42, 0, commit: true);
        coordinator.Complete();
        var complete = coordinator.Describe("tx");
        Assert.Equal((TransactionStatus.CompleteCommit, -1L, 0), (complete.State, complete.StartedMs, complete.Partitions.Length));
    }
}
