using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Transactions;
using Hub.Tests.Support;

namespace Hub.Tests.Transactions;

public sealed class TransactionCoordinatorTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly TransactionCoordinator _coordinator;

    public TransactionCoordinatorTests()
    {
        _coordinator = new TransactionCoordinator(new TransactionMetadata(), _clock);
        _coordinator.Init(60_000, newProducerId: 42);
    }

    private TransactionMetadata State => _coordinator.State;

    private static TopicPartition[] Partitions(params int[] partitions) => partitions.Select(p => new TopicPartition("t", p)).ToArray();

    [Fact]
    public void Each_init_bumps_the_epoch_of_the_same_producer_id_fencing_the_older_one()
    {
        Assert.Equal((42L, (short)0), (State.ProducerId, State.ProducerEpoch));
        _coordinator.Init(60_000, newProducerId: 99);
        Assert.Equal((42L, (short)1), (State.ProducerId, State.ProducerEpoch));

        Assert.Equal(ErrorCode.ProducerFenced, Assert.Throws<HubException>(() => _coordinator.AddPartitions(42, 0, Partitions(0))).Code);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, Assert.Throws<HubException>(() => _coordinator.AddPartitions(7, 1, Partitions(0))).Code);
        // KIP-360: only the current producer may re-initialize naming its id and epoch.
        Assert.Equal(ErrorCode.ProducerFenced, Assert.Throws<HubException>(() => _coordinator.CheckInit(60_000, 42, 0)).Code);
        _coordinator.CheckInit(60_000, 42, 1);
    }

    [Fact]
    public void A_transaction_goes_ongoing_prepared_complete_and_adding_what_is_there_changes_nothing()
    {
        Assert.True(_coordinator.AddPartitions(42, 0, Partitions(0, 1)));
        Assert.False(_coordinator.AddPartitions(42, 0, Partitions(1)));
        Assert.True(_coordinator.AddGroup(42, 0, "g"));
        Assert.Equal(TransactionStatus.Ongoing, State.Status);

        Assert.True(_coordinator.Prepare(42, 0, commit: true));
        Assert.False(_coordinator.Prepare(42, 0, commit: true)); // a retried EndTxn
        Assert.Equal(ErrorCode.InvalidTxnState, Assert.Throws<HubException>(() => _coordinator.Prepare(42, 0, commit: false)).Code);
        Assert.Equal(ErrorCode.ConcurrentTransactions, Assert.Throws<HubException>(() => _coordinator.AddPartitions(42, 0, Partitions(2))).Code);
        Assert.Equal([new TopicPartition("t", 0), new TopicPartition("t", 1)], State.AllPartitions());

        _coordinator.Complete();
        Assert.Equal(TransactionStatus.CompleteCommit, State.Status);
        Assert.False(_coordinator.Prepare(42, 0, commit: true)); // still a retry once complete
        Assert.Equal(ErrorCode.InvalidTxnState, Assert.Throws<HubException>(() => _coordinator.Prepare(42, 0, commit: false)).Code);
    }

    [Fact]
    public void An_ongoing_transaction_past_its_timeout_is_aborted_with_a_bumped_epoch()
    {
        _coordinator.AddPartitions(42, 0, Partitions(0));
        _clock.Advance(TimeSpan.FromMilliseconds(60_000));
        Assert.False(_coordinator.HasTimedOut);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_coordinator.HasTimedOut);

        Assert.True(_coordinator.PrepareFencingAbort());
        Assert.Equal((TransactionStatus.PrepareAbort, (short)1), (State.Status, State.ProducerEpoch));
        Assert.Equal(ErrorCode.ProducerFenced, Assert.Throws<HubException>(() => _coordinator.Prepare(42, 0, commit: true)).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(TransactionCoordinator.MaxTimeoutMs + 1)]
    public void A_timeout_out_of_range_is_refused(int timeoutMs) =>
        Assert.Equal(ErrorCode.InvalidTransactionTimeout, Assert.Throws<HubException>(() => _coordinator.CheckInit(timeoutMs, -1, -1)).Code);

    [Fact]
    public void Ending_without_a_transaction_is_an_invalid_state() =>
        Assert.Equal(ErrorCode.InvalidTxnState, Assert.Throws<HubException>(() => _coordinator.Prepare(42, 0, commit: true)).Code);
}
