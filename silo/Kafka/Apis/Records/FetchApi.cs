using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using System.Buffers.Binary;
using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Apis.Records.Sessions;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Partitions;
using Hub.Silo.Quotas;
using Hub.Quotas;
using Hub.Silo.Replication;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>
/// Fetch (key 1) v4-v16: record batches as stored, per partition, up to where the request's isolation level
/// stops (ConsumerReadEnd), with high watermark, last stable offset, the aborted transactions among the records
/// returned at read_committed and, from v5, log start offset. v13+ name topics by id. From v9 the partition's
/// leader refuses a current_leader_epoch other than its own (KIP-320), also when the epoch changes during a long
/// poll, which then ends at once.
/// <para>
/// What is read: as in Kafka, a partition named twice is one partition (its last entry counts), and the response's
/// max_bytes bounds the whole response (<see cref="FetchBudget"/>): partitions are served in request order (an
/// incremental fetch's in its session's order), the first records go whole even if larger, and partitions past the
/// budget get none and nothing is read for them.
/// Every partition is read at once, in parallel, each within its share of the budget; a partition left without a
/// share that has records gets one in a later round if the others left room (at most <see cref="MaxReadRounds"/>).
/// </para>
/// <para>
/// Long-poll: if that is less than min_bytes and the client allows a wait, every partition with nothing to read
/// waits in parallel for records with the remaining wait, reading none; one that wakes is read as above, and the
/// answer goes out as soon as what was read reaches min_bytes (or the wait is over): one busy partition doesn't
/// wait for the idle ones. Waits still running then end on their own; they hold nothing.
/// </para>
/// <para>
/// Fetch sessions (KIP-227, v7+) are kept by <see cref="FetchSessionCache"/>, which decides from the request's
/// session id and epoch what is read: the request's partitions (a full fetch, creating a session at epoch 0), or
/// every partition of the session after applying the request's changes and forgotten topics (an incremental one,
/// whose response lists only partitions with something new, <see cref="FetchSession.Answer"/>). Either way each
/// partition read is resolved, authorized and leader-checked here as a request's own would be.
/// </para>
/// The partition grains' results are owned here (see <see cref="FetchResult"/>): each goes back to the pool once
/// its bytes are copied into the response.
/// </summary>
internal sealed class FetchApi(KafkaTopics topics, KafkaAuthorizer authorizer, ClientQuotas quotas, FetchSessionCache sessions) : KafkaApi(ApiKey.Fetch, minVersion: 4, maxVersion: 16, firstFlexibleVersion: 12)
{
    /// <summary>
    /// Longest long-poll honoured. Clients wait 0.5 s by default; a larger max_wait_ms is cut to stay under
    /// Orleans' 30 s response timeout, past which the grain call would fail instead of answering empty.
    /// </summary>
    private const int MaxWaitCapMs = 25_000;

    /// <summary>
    /// Most rounds of parallel reads before the response goes out: the first reads every partition, later ones only
    /// partitions with records that got no share while the budget had room. Two cover the usual case (partitions
    /// ahead were empty); a few more cap a response's latency when many partitions each fill a little.
    /// </summary>
    private const int MaxReadRounds = 4;

    /// <summary>Room for a partition's fields around its records in a response (a generous bound: 40-odd bytes and a topic name).</summary>
    private const int PartitionOverheadBytes = 512;

    private static readonly FetchResult NoResult = new(PooledBatches.Empty, -1, -1);

    private sealed class PartitionFetch(FetchSessionEntry entry, int maxBytes, IsolationLevel isolationLevel)
    {
        public FetchSessionKey Key { get; } = entry.Key;
        public int Partition => Key.Partition;
        public long Offset { get; } = entry.FetchOffset;
        public int MaxBytes { get; } = maxBytes;

        public FetchRequest Request(FetchAllotment allotment, int maxWaitMs) =>
            new(Offset, allotment.Bytes, maxWaitMs, MinBytes: 1, entry.CurrentLeaderEpoch, isolationLevel, allotment.WholeFirstBatch);

        public Hub.Grains.IPartitionGrain? Grain { get; set; }
        public string TopicName { get; set; } = "";
        public ErrorCode Error { get; set; }
        public FetchResult Result { get; set; } = NoResult;

        /// <summary>The records the response carries, within its max_bytes.</summary>
        public ReadOnlyMemory<byte> Sent { get; set; }

        /// <summary>What the last read of this partition was allowed.</summary>
        public FetchAllotment Allotment { get; set; }

        public bool HasRecords => !Result.Records.IsEmpty;

        /// <summary>The partition had records at the offset when last read (at this isolation level).</summary>
        public bool HadReadable => Error == ErrorCode.None && Offset < ConsumerReadEnd.For(isolationLevel, Result.HighWatermark, Result.LastStableOffset);

        /// <summary>
        /// Readable records that this response can still carry: they got no share, or their first batch was larger than
        /// its share while the response has nothing yet (a whole first batch may go then).
        /// </summary>
        public bool WaitsForShare(FetchBudget budget) => HadReadable && !HasRecords && !budget.IsSpent
            && (Allotment.ReadsNothing || (!budget.HasRecords && !Allotment.WholeFirstBatch));
    }

    private sealed record TopicFetch(string? Name, Guid Id, PartitionFetch[] Partitions)
    {
        public TopicMetadata? Metadata { get; set; }
    }

    private sealed record Request(int MaxWaitMs, int MinBytes, int MaxBytes, IsolationLevel IsolationLevel, int SessionId, int SessionEpoch,
        FetchSessionEntry[] Partitions, FetchSessionKey[] Forgotten);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var fetch = Parse(request);
        var context = request.Version >= 7
            ? sessions.Begin(fetch.SessionId, fetch.SessionEpoch, usesTopicIds: request.Version >= 13, fetch.Partitions, fetch.Forgotten)
            : FetchSessionContext.Full(fetch.Partitions);
        if (context.Error != ErrorCode.None)
        {
            Write(response, request.Version, context, [], int.MaxValue, TimeSpan.Zero);
            return true;
        }
        var topics = Group(context.Partitions, fetch);
        await ResolveAsync(request.Session, topics);
        var partitions = topics.SelectMany(t => t.Partitions).Where(p => p.Grain is not null).ToArray();
        var budget = new FetchBudget(fetch.MaxBytes);
        try
        {
            await ReadAsync(partitions, budget);
            var total = partitions.Sum(p => (long)p.Result.Records.Length);
            var anyError = partitions.Any(p => p.Error != ErrorCode.None);
            if (total < Math.Max(1, fetch.MinBytes) && fetch.MaxWaitMs > 0 && !anyError && partitions.Length > 0)
                await LongPollAsync(partitions, budget, fetch.MaxWaitMs, Math.Max(1, fetch.MinBytes), total, cancellationToken);

            // Kafka's consumer quota: a fetch that would pass it is answered empty, with the time to wait.
            request.Throttle = await quotas.RecordAsync(ClientQuotaKeys.ConsumerByteRate, request.Session.UserName, request.Header.ClientId,
                partitions.Sum(p => (long)p.Result.Records.Length), undoWhenThrottled: true);
            if (request.Throttle > TimeSpan.Zero)
            {
                Write(response, request.Version, context, [], fetch.MaxBytes, request.Throttle);
                return true;
            }
            response.Reserve((int)Math.Min(partitions.Sum(p => (long)p.Result.Records.Length + PartitionOverheadBytes), Array.MaxLength));
            Write(response, request.Version, context, topics, fetch.MaxBytes, TimeSpan.Zero);
            return true;
        }
        finally
        {
            // The response holds copies of the bytes now (or is not sent at all).
            foreach (var partition in partitions) partition.Result.Records.Dispose();
        }
    }

    /// <summary>
    /// The partitions to read as the response lists them: consecutive partitions of one topic under one topic entry
    /// (a session's order, rotated, may name a topic again later, as Kafka's responses do then).
    /// </summary>
    private static TopicFetch[] Group(IReadOnlyList<FetchSessionEntry> entries, Request fetch)
    {
        var topics = new List<TopicFetch>();
        for (var start = 0; start < entries.Count;)
        {
            var end = start + 1;
            while (end < entries.Count && entries[end].Key.SameTopic(entries[start].Key)) end++;
            var key = entries[start].Key;
            var partitions = new PartitionFetch[end - start];
            for (var i = start; i < end; i++)
                partitions[i - start] = new PartitionFetch(entries[i], Math.Min(entries[i].MaxBytes, Math.Max(fetch.MaxBytes, 0)), fetch.IsolationLevel);
            topics.Add(new TopicFetch(key.Topic, key.TopicId, partitions));
            start = end;
        }
        return [.. topics];
    }

    /// <summary>Reads <paramref name="partitions"/> at once, each within its share of <paramref name="budget"/>, in rounds (see the class comment).</summary>
    private async Task ReadAsync(IReadOnlyList<PartitionFetch> partitions, FetchBudget budget)
    {
        IReadOnlyList<PartitionFetch> round = partitions;
        for (var i = 0; i < MaxReadRounds && round.Count > 0; i++)
        {
            // Shares are handed out in request order before any read starts.
            var reads = new Task[round.Count];
            for (var p = 0; p < round.Count; p++) reads[p] = FetchAsync(round[p], budget, budget.Allot(round[p].MaxBytes));
            await Task.WhenAll(reads);
            round = partitions.Where(p => p.WaitsForShare(budget)).ToArray();
        }
    }

    private async Task FetchAsync(PartitionFetch partition, FetchBudget budget, FetchAllotment allotment)
    {
        partition.Allotment = allotment;
        try
        {
            var result = await partition.Grain!.Fetch(partition.Request(allotment, maxWaitMs: 0));
            partition.Result.Records.Dispose();
            partition.Result = result;
        }
        catch (Exception e)
        {
            partition.Error = Failed(partition, e);
        }
        budget.Settle(allotment, partition.Result.Records.Length);
    }

    private async Task LongPollAsync(PartitionFetch[] partitions, FetchBudget budget, int maxWaitMs, int minBytes, long total, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deadline = Task.Delay(maxWaitMs, stop.Token);
        var pending = partitions.Where(p => !p.HadReadable).ToDictionary(p => WaitForRecordsAsync(p, maxWaitMs));
        try
        {
            while (pending.Count > 0 && !budget.IsSpent)
            {
                var done = await Task.WhenAny(pending.Keys.Append(deadline));
                if (done == deadline) break;
                var wait = (Task<(FetchResult, ErrorCode)>)done;
                var (state, error) = await wait;
                var partition = pending[wait];
                pending.Remove(wait);
                partition.Error = error;
                if (error != ErrorCode.None) break;
                partition.Result.Records.Dispose();
                partition.Result = state;
                await ReadAsync([partition], budget);
                total += partition.Result.Records.Length;
                if (total >= minBytes || partition.Error != ErrorCode.None) break;
            }
        }
        finally
        {
            stop.Cancel(); // the deadline timer, not the waits: those end within their own wait and hold no records
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Waits at the partition until it has records at the offset (or the wait is over), reading none; reports its
    /// error instead of throwing, so an abandoned wait leaves nothing unobserved.
    /// </summary>
    private async Task<(FetchResult, ErrorCode)> WaitForRecordsAsync(PartitionFetch partition, int maxWaitMs)
    {
        try
        {
            return (await partition.Grain!.Fetch(partition.Request(default, maxWaitMs)), ErrorCode.None);
        }
        catch (Exception e)
        {
            return (NoResult, Failed(partition, e));
        }
    }

    /// <summary>The error code for a failed partition fetch; drops the cached topic when its leader moved.</summary>
    private ErrorCode Failed(PartitionFetch partition, Exception e) => topics.Failed(partition.TopicName, e);

    /// <summary>
    /// Finds each topic by name or id (one controller call at most for all of them) and each partition's grain; what
    /// can't be found gets its error here.
    /// </summary>
    private async Task ResolveAsync(KafkaSession session, TopicFetch[] requested)
    {
        var byName = await topics.GetManyAsync(requested.Where(t => t.Name is not null).Select(t => (t.Name!, t.Partitions.Select(p => p.Partition))));
        var ids = requested.Where(t => t.Name is null).Select(t => t.Id).ToHashSet();
        var byId = ids.Count == 0 ? [] : await topics.GetManyByIdAsync(ids);
        foreach (var topic in requested)
        {
            topic.Metadata = topic.Name is not null ? byName.GetValueOrDefault(topic.Name) : byId.GetValueOrDefault(topic.Id);
            // Checked by name before existence, so a topic one may not read looks the same whether it exists or not.
            var name = topic.Name ?? topic.Metadata?.Name;
            var denied = name is not null && !await authorizer.AllowsTopicAsync(session, AclOperation.Read, name);
            foreach (var partition in topic.Partitions)
            {
                if (denied)
                    partition.Error = ErrorCode.TopicAuthorizationFailed;
                else if (topic.Metadata is null)
                    partition.Error = topic.Name is null ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition;
                else if ((uint)partition.Partition >= (uint)topic.Metadata.PartitionCount)
                    partition.Error = ErrorCode.UnknownTopicOrPartition;
                else if (partition.MaxBytes <= 0)
                    partition.Error = ErrorCode.InvalidFetchSize;
                else if (!topic.Metadata.Partitions[partition.Partition].HasLeader)
                    partition.Error = ErrorCode.LeaderNotAvailable;
                else
                {
                    partition.Grain = topics.Partition(topic.Metadata, partition.Partition);
                    partition.TopicName = topic.Metadata.Name;
                }
            }
        }
    }

    private static Request Parse(KafkaRequest request)
    {
        var version = request.Version;
        var reader = request.Reader();
        if (version <= 14) reader.ReadInt32(); // replica id: -1 from consumers; Hub's followers fetch through Orleans
        var maxWaitMs = Math.Min(reader.ReadInt32(), MaxWaitCapMs);
        var minBytes = reader.ReadInt32();
        var maxBytes = reader.ReadInt32();
        var isolationLevel = (IsolationLevel)reader.ReadInt8();
        int sessionId = 0, sessionEpoch = FetchSessionEpochs.Final;
        if (version >= 7)
        {
            sessionId = reader.ReadInt32();
            sessionEpoch = reader.ReadInt32();
        }
        var topicCount = reader.ReadNonNullArrayLength();
        var partitions = new List<FetchSessionEntry>();
        // Kafka keeps a partition named twice once, at its first place with its last entry (its FetchRequest.fetchData is a map).
        var named = new Dictionary<FetchSessionKey, int>();
        for (var t = 0; t < topicCount; t++)
        {
            var (name, id) = ReadTopic(ref reader, version);
            var partitionCount = reader.ReadNonNullArrayLength();
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = reader.ReadInt32();
                var currentLeaderEpoch = version >= 9 ? reader.ReadInt32() : CurrentLeaderEpoch.Unchecked;
                var offset = reader.ReadInt64();
                if (version >= 12) reader.ReadInt32(); // last fetched epoch: consumers read committed records only, which never diverge
                if (version >= 5) reader.ReadInt64(); // log start offset: only followers send one
                var partitionMaxBytes = reader.ReadInt32();
                reader.SkipTaggedFields();
                var entry = new FetchSessionEntry(new FetchSessionKey(name, id, partition), offset, partitionMaxBytes, currentLeaderEpoch);
                if (named.TryGetValue(entry.Key, out var at)) partitions[at] = entry;
                else
                {
                    named.Add(entry.Key, partitions.Count);
                    partitions.Add(entry);
                }
            }
            reader.SkipTaggedFields();
        }
        var forgotten = new List<FetchSessionKey>();
        if (version >= 7)
        {
            var forgottenTopics = reader.ReadNonNullArrayLength();
            for (var i = 0; i < forgottenTopics; i++)
            {
                var (name, id) = ReadTopic(ref reader, version);
                var count = reader.ReadNonNullArrayLength();
                for (var p = 0; p < count; p++) forgotten.Add(new FetchSessionKey(name, id, reader.ReadInt32()));
                reader.SkipTaggedFields();
            }
        }
        if (version >= 11) reader.ReadString(); // rack id: no follower fetching from the closest replica
        reader.SkipTaggedFields();
        return new Request(maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, [.. partitions], [.. forgotten]);
    }

    /// <summary>A topic as the request names it: by id from v13, by name before.</summary>
    private static (string? Name, Guid Id) ReadTopic(ref ProtocolReader reader, short version) =>
        version >= 13 ? (null, reader.ReadUuid()) : (reader.ReadString(), Guid.Empty);

    private static void Write(ProtocolWriter response, short version, FetchSessionContext context, TopicFetch[] topics, int maxBytes, TimeSpan throttle)
    {
        // Partitions are answered in read order, each with the whole batches that still fit in the
        // response's max bytes; the first data always goes out whole so a consumer can pass a large batch.
        long budget = Math.Max(maxBytes, 0);
        var first = true;
        var answered = new List<(TopicFetch Topic, List<PartitionFetch> Partitions)>(topics.Length);
        foreach (var topic in topics)
        {
            List<PartitionFetch>? listed = null;
            foreach (var partition in topic.Partitions)
            {
                var ok = partition.Error == ErrorCode.None;
                partition.Sent = ok ? WholeBatchesWithin(partition.Result.Records.Memory, first ? long.MaxValue : budget) : ReadOnlyMemory<byte>.Empty;
                if (!partition.Sent.IsEmpty)
                {
                    budget -= partition.Sent.Length;
                    first = false;
                }
                if (context.Answer(partition.Key, ok ? partition.Result.HighWatermark : -1, ok ? partition.Result.LastStableOffset : -1,
                        ok ? partition.Result.LogStartOffset : -1, !partition.Sent.IsEmpty, partition.Error))
                    (listed ??= []).Add(partition);
            }
            if (listed is not null) answered.Add((topic, listed));
        }

        response.WriteInt32((int)throttle.TotalMilliseconds);
        if (version >= 7)
        {
            response.WriteInt16((short)context.Error);
            response.WriteInt32(context.ResponseSessionId);
        }
        response.WriteArrayLength(answered.Count);
        foreach (var (topic, partitions) in answered)
        {
            if (version >= 13) response.WriteUuid(topic.Id);
            else response.WriteString(topic.Name!);
            response.WriteArrayLength(partitions.Count);
            foreach (var partition in partitions)
            {
                var ok = partition.Error == ErrorCode.None;
                response.WriteInt32(partition.Partition);
                response.WriteInt16((short)partition.Error);
                response.WriteInt64(ok ? partition.Result.HighWatermark : -1);
                response.WriteInt64(ok ? partition.Result.LastStableOffset : -1);
                if (version >= 5) response.WriteInt64(ok ? partition.Result.LogStartOffset : -1);
                WriteAbortedTransactions(response, ok && !partition.Sent.IsEmpty ? partition.Result.AbortedTransactions : [], version >= 12);
                if (version >= 11) response.WriteInt32(-1); // preferred read replica: none
                response.WriteBytes(partition.Sent.Span);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
    }

    /// <summary>The aborted transactions a read_committed client drops records of (null when none, as Kafka writes it).</summary>
    private static void WriteAbortedTransactions(ProtocolWriter response, AbortedTransaction[] aborted, bool flexible)
    {
        if (aborted.Length == 0)
        {
            response.WriteArrayLength(-1);
            return;
        }
        response.WriteArrayLength(aborted.Length);
        foreach (var transaction in aborted)
        {
            response.WriteInt64(transaction.ProducerId);
            response.WriteInt64(transaction.FirstOffset);
            if (flexible) response.WriteEmptyTaggedFields();
        }
    }

    /// <summary>The leading whole batches of <paramref name="records"/> that fit in <paramref name="budget"/> bytes; the first batch at least when the budget is unlimited.</summary>
    public static ReadOnlyMemory<byte> WholeBatchesWithin(ReadOnlyMemory<byte> records, long budget)
    {
        if (records.Length <= budget) return records;
        var span = records.Span;
        var end = 0;
        while (end + RecordBatchLayout.LogOverhead <= span.Length)
        {
            var size = RecordBatchLayout.LogOverhead + (long)BinaryPrimitives.ReadInt32BigEndian(span[(end + RecordBatchLayout.BatchLength)..]);
            if (end + size > span.Length || end + size > budget) break;
            end += (int)size;
        }
        return records[..end];
    }
}
