using Hub.Errors;
using Hub.Groups;

namespace Hub.Client;

/// <summary>
/// The consumer protocol's membership loop (KIP-848): one heartbeat call that joins, reports what this member owns and
/// brings back its assignment whenever it changes. Revoked partitions are released (committed first) and reported on
/// an immediate heartbeat, so the group can hand them on; partitions that stay are read throughout.
/// </summary>
public sealed partial class HubGroupConsumer
{
    private async Task RunConsumerProtocolAsync(CancellationToken ct)
    {
        var time = TimeProvider.System;
        // KIP-1082: the member makes its id, so a join whose answer was lost can't leave a second member behind.
        Volatile.Write(ref _memberId, Guid.NewGuid().ToString("N"));
        var epoch = ConsumerGroupHeartbeatRequest.JoinEpoch;
        var full = true;
        var delay = FirstRetryDelay;
        _nextAutoCommit = time.GetTimestamp() + Ticks(_options.AutoCommitInterval);
        while (true)
        {
            ConsumerGroupHeartbeatResult result;
            try
            {
                var request = new ConsumerGroupHeartbeatRequest
                {
                    MemberId = MemberId,
                    MemberEpoch = epoch,
                    InstanceId = _options.GroupInstanceId,
                    // A full request (joining, or after an error) restates everything; later ones only what changes.
                    RebalanceTimeoutMs = full ? (int)_options.RebalanceTimeout.TotalMilliseconds : -1,
                    SubscribedTopicNames = full ? [.. _options.Topics] : null,
                    ServerAssignor = full ? _options.Assignor : null,
                    OwnedPartitions = await OwnedByTopicIdAsync(ct).ConfigureAwait(false),
                    ClientId = _options.ClientId,
                    ClientHost = _host,
                };
                result = await _group.ConsumerGroupHeartbeat(request).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (HubException e) when (e.Code is ErrorCode.UnknownMemberId or ErrorCode.FencedMemberEpoch)
            {
                // Removed or fenced: what it held may be another member's already. It rejoins owning nothing.
                await LoseMembershipAsync(forgetMemberId: false).ConfigureAwait(false);
                epoch = ConsumerGroupHeartbeatRequest.JoinEpoch;
                full = true;
                continue;
            }
            catch (Exception e) when (IsTransient(e))
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = Next(delay);
                full = true;
                continue;
            }
            delay = FirstRetryDelay;
            full = false;
            epoch = result.MemberEpoch;
            Volatile.Write(ref _generation, epoch);
            // Partitions given up are reported at once, so the group can hand them on without waiting a heartbeat interval.
            if (result.Assignment is { } assignment && await TakeAssignmentAsync(await NamedAsync(assignment, ct).ConfigureAwait(false), ct).ConfigureAwait(false))
                continue;
            await WaitAutoCommittingAsync(time.GetTimestamp() + Ticks(TimeSpan.FromMilliseconds(result.HeartbeatIntervalMs)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Leaves: for good (epoch -1), or, a static member, for a while (-2), its partitions waiting for its next instance.</summary>
    private Task LeaveConsumerGroupAsync() => _group.ConsumerGroupHeartbeat(new ConsumerGroupHeartbeatRequest
    {
        MemberId = MemberId,
        MemberEpoch = _options.GroupInstanceId is null ? ConsumerGroupHeartbeatRequest.LeaveEpoch : ConsumerGroupHeartbeatRequest.StaticLeaveEpoch,
        InstanceId = _options.GroupInstanceId,
        ClientId = _options.ClientId,
        ClientHost = _host,
    });

    private async Task<TopicIdPartitions[]> OwnedByTopicIdAsync(CancellationToken ct)
    {
        var owned = Volatile.Read(ref _owned).Keys.GroupBy(p => p.Topic, StringComparer.Ordinal).ToList();
        var result = new TopicIdPartitions[owned.Count];
        for (var i = 0; i < owned.Count; i++)
        {
            var topic = await _router.GetTopicAsync(owned[i].Key, ct).ConfigureAwait(false);
            result[i] = new TopicIdPartitions(topic.TopicId, owned[i].Select(p => p.Partition).Order().ToArray());
        }
        return result;
    }

    /// <summary>The assignment by topic name. A topic id not among the subscribed topics' is looked up afresh once (the topic was re-created), else dropped.</summary>
    private async Task<List<TopicPartition>> NamedAsync(TopicIdPartitions[] assignment, CancellationToken ct)
    {
        async Task<Dictionary<Guid, string>> NamesAsync()
        {
            var names = new Dictionary<Guid, string>();
            foreach (var topic in _options.Topics) names[(await _router.GetTopicAsync(topic, ct).ConfigureAwait(false)).TopicId] = topic;
            return names;
        }
        var names = await NamesAsync().ConfigureAwait(false);
        if (assignment.Any(t => !names.ContainsKey(t.TopicId)))
        {
            foreach (var topic in _options.Topics) _router.Forget(topic);
            names = await NamesAsync().ConfigureAwait(false);
        }
        return assignment.Where(t => names.ContainsKey(t.TopicId))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(names[t.TopicId], p))).ToList();
    }
}
