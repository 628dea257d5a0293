using Hub.Errors;
using Hub.Silo.Partitions;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Partitions;

public sealed class ReorderedAppendsTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_wait_lasts_at_most_MaxWait()
    {
        using var wait = new ReorderedAppends(_clock).Start()!;
        Assert.Equal(ReorderedAppends.MaxWait, wait.Remaining);
        _clock.Advance(ReorderedAppends.MaxWait - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), wait.Remaining);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(wait.Remaining <= TimeSpan.Zero);
    }

    [Theory]
    [InlineData(true, 0, null, ErrorCode.NotLeaderOrFollower)] // the previous leader left the gap: the producer resends here
    [InlineData(true, 29, null, ErrorCode.NotLeaderOrFollower)]
    [InlineData(true, 30, null, ErrorCode.OutOfOrderSequenceNumber)] // the grace is over: a producer that never resends hears the truth
    [InlineData(false, 0, null, ErrorCode.OutOfOrderSequenceNumber)] // a producer never seen, skipping its first batches
    [InlineData(false, 300, 0, ErrorCode.NotLeaderOrFollower)] // a producer stored a batch just now: the next may be on its way, or stored unanswered
    [InlineData(false, 300, 29, ErrorCode.NotLeaderOrFollower)]
    [InlineData(false, 300, 30, ErrorCode.OutOfOrderSequenceNumber)] // nothing stored for the grace: the gap stays
    [InlineData(true, 30, 30, ErrorCode.OutOfOrderSequenceNumber)]
    public void A_gap_is_NOT_LEADER_OR_FOLLOWER_while_a_resend_can_fill_it_and_OUT_OF_ORDER_after_the_grace(
        bool followsEarlierLeadersBatches, int leadingSeconds, int? sinceProducerAppendedSeconds, ErrorCode expected)
    {
        var outOfOrder = new HubException(ErrorCode.OutOfOrderSequenceNumber, "producer 7 epoch 0 sent sequence 9, expected 5");
        var refusal = ReorderedAppends.Refusal(outOfOrder, followsEarlierLeadersBatches, TimeSpan.FromSeconds(leadingSeconds),
            sinceProducerAppendedSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        Assert.Equal(expected, refusal.Code);
        Assert.StartsWith(outOfOrder.Message, refusal.Message);
    }

    [Fact]
    public void At_most_MaxWaiting_appends_wait_and_a_finished_wait_gives_its_place_back()
    {
        var appends = new ReorderedAppends(_clock);
        var waits = Enumerable.Range(0, ReorderedAppends.MaxWaiting).Select(_ => appends.Start()).ToList();
        Assert.All(waits, Assert.NotNull);
        Assert.Null(appends.Start());

        waits[0]!.Dispose();
        waits[0]!.Dispose(); // twice gives back one place only
        Assert.Equal(ReorderedAppends.MaxWaiting - 1, appends.Waiting);
        Assert.NotNull(appends.Start());
        Assert.Null(appends.Start());
    }
}
