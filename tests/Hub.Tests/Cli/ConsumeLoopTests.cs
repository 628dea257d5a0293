using System.Runtime.CompilerServices;
using Hub.Cli.Consuming;

namespace Hub.Tests.Cli;

public sealed class ConsumeLoopTests
{
    [Fact]
    public async Task A_record_whose_hand_out_moved_the_position_to_the_end_is_delivered_not_dropped()
    {
        // The consumer moves its position before yielding the record: the loop's periodic check sees the end
        // reached while the record is still on its way (a preempted thread on a loaded machine).
        long position = 1;
        var checkedAtEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<long> Consume([EnumeratorCancellation] CancellationToken ct)
        {
            Volatile.Write(ref position, 2);
            await checkedAtEnd.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            yield return 1;
            await Task.Delay(Timeout.Infinite, ct);
        }
        var tracker = new CatchUpTracker();
        tracker.Add(0, position: 1, end: 2);
        var delivered = new List<long>();

        await ConsumeLoop.RunAsync(Consume, _ =>
        {
            var seen = Volatile.Read(ref position);
            if (seen == 2) checkedAtEnd.TrySetResult();
            return seen;
        }, tracker, offset =>
        {
            delivered.Add(offset);
            tracker.Advance(0, offset + 1);
            return true;
        }, () => Task.CompletedTask, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([1L], delivered);
    }
}
