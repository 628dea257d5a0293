using Hub.Topics;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Replication;

/// <summary>
/// A partition leader's ISR changes, by Kafka's rules: a follower not caught up for <c>lagTimeMax</c> leaves the
/// ISR; one that reaches the high watermark, and the leader's log end when its epoch began, joins it (a leader
/// that just took over may carry a high watermark older than its log). The change goes to the controller
/// (Kafka's AlterPartition), one request at a time; until the answer arrives the high watermark counts the
/// proposed members too (<see cref="LeaderReplicaSet.Propose"/>, KIP-497). The controller answers with the
/// assignment as it stands: the change applied, or, when the proposal was based on an older version, the
/// newer assignment that beat it. Either way the answer is applied, which replaces the proposal, and the next
/// check proposes again against the new version if a change is still wanted.
/// <para>One per leadership (leader epoch). Not thread-safe: the partition grain calls it within its turns.</para>
/// </summary>
/// <param name="epochStartOffset">The leader's log end when it took this epoch: no follower joins the ISR below it.</param>
/// <param name="applyAnswer">Applies the controller's answer to the partition (it may also change the leader).</param>
/// <param name="replica">Names the replica in log lines.</param>
internal sealed partial class IsrChangeProposer(LeaderReplicaSet replicas, long epochStartOffset, TimeSpan lagTimeMax, TimeProvider time,
    IsrChangeProposer.AlterIsr alterIsr, Func<PartitionAssignment, Task> applyAnswer, ILogger logger, string replica)
{
    /// <summary>Asks the controller for <paramref name="isr"/>, based on assignment version <paramref name="basedOnVersion"/>; returns the assignment as it stands afterwards.</summary>
    public delegate Task<PartitionAssignment> AlterIsr(int basedOnVersion, int[] isr);

    private bool _inFlight;

    /// <summary>The ISR this leader wants: laggards out, caught-up followers in; null when it is right as it is.</summary>
    public int[]? WantedIsr()
    {
        var now = time.GetTimestamp();
        var isr = replicas.Assignment.InSync;
        var joinAt = Math.Max(replicas.HighWatermark, epochStartOffset);
        var wanted = replicas.Assignment.Replicas.Where(broker => broker == replicas.LocalBroker || (replicas.Follower(broker) is { } f && (isr.Contains(broker)
            ? time.GetElapsedTime(f.LastCaughtUp, now) <= lagTimeMax
            : f.LogEndOffset >= joinAt))).ToArray();
        return wanted.Length == isr.Length && wanted.All(isr.Contains) ? null : wanted;
    }

    /// <summary>
    /// Asks the controller for the wanted ISR, unless nothing is to change or a request is already out. The task
    /// ends once the answer is applied, or the request failed (logged; the next check asks again).
    /// </summary>
    public Task ProposeIfWanted()
    {
        if (_inFlight || WantedIsr() is not { } isr) return Task.CompletedTask;
        _inFlight = true;
        replicas.Propose(isr);
        return SendAsync(replicas.Assignment, isr);
    }

    private async Task SendAsync(PartitionAssignment current, int[] isr)
    {
        try
        {
            LogProposing(replica, current.InSync, isr);
            await applyAnswer(await alterIsr(current.Version, isr));
        }
        catch (Exception e)
        {
            LogProposalFailed(replica, isr, e.Message);
        }
        finally
        {
            _inFlight = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Replica} asks to change the ISR from {Old} to {New}")]
    private partial void LogProposing(string replica, int[] old, int[] @new);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Replica} could not change the ISR to {New}: {Error}")]
    private partial void LogProposalFailed(string replica, int[] @new, string error);
}
