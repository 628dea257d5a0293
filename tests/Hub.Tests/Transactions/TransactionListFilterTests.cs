using Hub.Silo.Transactions;
using Hub.Tests.Support;
using Hub.Transactions;

namespace Hub.Tests.Transactions;

public sealed class TransactionListFilterTests
{
    private readonly ManualTimeProvider _clock = new();

    private static TransactionDescription Transaction(TransactionStatus state, long producerId = 7, long startedMs = -1) =>
        new("tx", state, producerId, 0, 60_000, startedMs, []);

    [Fact]
    public void No_filter_matches_every_transaction()
    {
        var filter = new TransactionListFilter([], [], TransactionListFilter.NoDuration, _clock);
        Assert.All(Enum.GetValues<TransactionStatus>(), state => Assert.True(filter.Matches(Transaction(state))));
        Assert.Empty(filter.UnknownStates);
    }

    [Fact]
    public void States_are_matched_by_Kafkas_exact_names_and_unknown_names_match_nothing_and_are_reported()
    {
        var filter = new TransactionListFilter(["Ongoing", "PrepareAbort", "ongoing", "Dead"], [], TransactionListFilter.NoDuration, _clock);
        Assert.True(filter.Matches(Transaction(TransactionStatus.Ongoing)));
        Assert.True(filter.Matches(Transaction(TransactionStatus.PrepareAbort)));
        Assert.False(filter.Matches(Transaction(TransactionStatus.CompleteCommit)));
        // Dead is a state Kafka knows (Hub never lists an id in it); "ongoing" is not Kafka's spelling.
        Assert.Equal(["ongoing"], filter.UnknownStates);

        var onlyUnknown = new TransactionListFilter(["Running"], [], TransactionListFilter.NoDuration, _clock);
        Assert.False(onlyUnknown.Matches(Transaction(TransactionStatus.Ongoing)));
    }

    [Fact]
    public void Producer_ids_select_their_transactions()
    {
        var filter = new TransactionListFilter([], [7, 9], TransactionListFilter.NoDuration, _clock);
        Assert.True(filter.Matches(Transaction(TransactionStatus.Empty, producerId: 9)));
        Assert.False(filter.Matches(Transaction(TransactionStatus.Empty, producerId: 8)));
    }

    [Fact]
    public void The_duration_filter_keeps_transactions_running_longer_than_it_and_never_one_not_running()
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var filter = new TransactionListFilter([], [], 1000, _clock);
        Assert.True(filter.Matches(Transaction(TransactionStatus.Ongoing, startedMs: now - 1001)));
        Assert.False(filter.Matches(Transaction(TransactionStatus.Ongoing, startedMs: now - 1000)));
        Assert.False(filter.Matches(Transaction(TransactionStatus.CompleteCommit)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(filter.Matches(Transaction(TransactionStatus.Ongoing, startedMs: now - 1000)));
    }
}
