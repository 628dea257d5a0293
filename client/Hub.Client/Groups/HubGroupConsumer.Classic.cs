using Hub.Errors;
using Hub.Groups;

namespace Hub.Client;

/// <summary>The classic protocol's membership loop: JoinGroup, SyncGroup, heartbeats until the next rebalance.</summary>
public sealed partial class HubGroupConsumer
{
    private async Task RunClassicAsync(CancellationToken ct)
    {
        while (true)
        {
            if (await JoinAsync(ct).ConfigureAwait(false)) continue; // partitions were revoked: rejoin so they can move
            await StayAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Joins (or rejoins) and takes up the new assignment; true when partitions were revoked by it, in which
    /// case the member must rejoin at once so they can go to their new owners (cooperative rebalancing).
    /// </summary>
    private async Task<bool> JoinAsync(CancellationToken ct)
    {
        var delay = FirstRetryDelay;
        try
        {
            _joinedPartitionCounts = await PartitionCountsAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e) && _joinedPartitionCounts.Count > 0)
        {
            // Keep the counts from the last join; a topic that doesn't exist (at the start, or any more) is fatal.
        }
        while (true)
        {
            var owned = _options.IsCooperative ? Volatile.Read(ref _owned).Keys.Order().ToList() : _lastAssignment;
            var subscription = new ConsumerSubscription(_options.Topics.ToList(), owned, GenerationId);
            var request = new JoinGroupRequest
            {
                MemberId = MemberId,
                GroupInstanceId = _options.GroupInstanceId,
                ClientId = _options.ClientId,
                ClientHost = _host,
                SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
                RebalanceTimeoutMs = (int)_options.RebalanceTimeout.TotalMilliseconds,
                ProtocolType = GroupProtocolTypes.Hub,
                Protocols = [new GroupProtocol(_options.Assignor!, ConsumerProtocol.EncodeSubscription(subscription))],
                // The id comes first, so a join cut short by dispose still leaves a member id to leave with.
                RequireKnownMemberId = true,
            };
            JoinGroupResult result;
            try
            {
                result = await _group.JoinGroup(request).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (HubException e) when (e.Code is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration)
            {
                await LoseMembershipAsync(forgetMemberId: e.Code == ErrorCode.UnknownMemberId).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (IsTransient(e))
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = Next(delay);
                continue;
            }
            Volatile.Write(ref _memberId, result.MemberId);
            if (result.Error is ErrorCode.MemberIdRequired or ErrorCode.RebalanceInProgress) continue;

            Volatile.Write(ref _generation, result.GenerationId);
            var bytes = result.Assignment ?? (await _group.SyncGroup(new SyncGroupRequest
            {
                GenerationId = result.GenerationId,
                MemberId = result.MemberId,
                GroupInstanceId = _options.GroupInstanceId,
            }).WaitAsync(ct).ConfigureAwait(false)).Assignment;
            return await TakeAssignmentAsync(ConsumerProtocol.DecodeAssignment(bytes), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Heartbeats (and auto-commits) until the group asks this member to rejoin.</summary>
    private async Task StayAsync(CancellationToken ct)
    {
        var time = TimeProvider.System;
        _nextAutoCommit = time.GetTimestamp() + Ticks(_options.AutoCommitInterval);
        while (true)
        {
            var nextHeartbeat = time.GetTimestamp() + Ticks(_options.HeartbeatInterval);
            ErrorCode answer;
            try
            {
                answer = await _group.Heartbeat(GenerationId, MemberId, _options.GroupInstanceId).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (HubException e) when (e.Code is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration)
            {
                await LoseMembershipAsync(forgetMemberId: e.Code == ErrorCode.UnknownMemberId).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsTransient(e))
            {
                answer = ErrorCode.None; // try again next beat; if the session lapses meanwhile the group says so then
            }
            if (answer == ErrorCode.None && await PartitionsAddedAsync(ct).ConfigureAwait(false)) answer = ErrorCode.RebalanceInProgress;
            if (answer == ErrorCode.RebalanceInProgress)
            {
                // Eager assignors: release everything (committing it) before rejoining. Cooperative: keep reading.
                if (!_options.IsCooperative) await RevokeAsync(Volatile.Read(ref _owned).Keys.ToList(), ct).ConfigureAwait(false);
                return;
            }
            await WaitAutoCommittingAsync(nextHeartbeat, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The topics' partition counts from the metadata cache (refreshed at least every few minutes).</summary>
    private async Task<Dictionary<string, int>> PartitionCountsAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in _options.Topics)
            counts[topic] = (await _router.GetTopicAsync(topic, ct).ConfigureAwait(false)).PartitionCount;
        return counts;
    }

    /// <summary>Whether a topic has grown since the last join: then the member rejoins so the new partitions get assigned.</summary>
    private async Task<bool> PartitionsAddedAsync(CancellationToken ct)
    {
        try
        {
            var counts = await PartitionCountsAsync(ct).ConfigureAwait(false);
            return counts.Any(c => _joinedPartitionCounts.GetValueOrDefault(c.Key) != c.Value);
        }
        catch (Exception e) when (e is HubException || IsTransient(e))
        {
            return false; // a deleted topic surfaces through its fetchers; a lost connection through the heartbeat
        }
    }
}
