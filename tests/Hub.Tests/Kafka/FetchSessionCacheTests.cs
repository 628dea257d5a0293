using Hub.Errors;
using Hub.Silo.Kafka.Apis.Records.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Kafka;

/// <summary>KIP-227's fetch sessions without a cluster: <see cref="FetchSessionCache"/> and <see cref="FetchSession"/>.</summary>
public sealed class FetchSessionCacheTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero));

    private static FetchSessionKey Key(int partition, string topic = "t") => new(topic, Guid.Empty, partition);

    private static FetchSessionEntry Entry(int partition, long offset = 0, string topic = "t") => new(Key(partition, topic), offset, 1 << 20, -1);

    private static FetchSessionKey[] None => [];

    private FetchSession Create(FetchSessionCache cache, params FetchSessionEntry[] partitions)
    {
        var context = cache.Begin(0, FetchSessionEpochs.Initial, usesTopicIds: false, partitions, None);
        Assert.NotNull(context.Session);
        Assert.False(context.Incremental);
        return context.Session;
    }

    [Fact]
    public void Epoch_0_creates_a_session_of_the_requests_partitions_and_epoch_minus_1_none()
    {
        var cache = new FetchSessionCache(10, _clock);
        var full = cache.Begin(0, FetchSessionEpochs.Final, false, [Entry(0)], None);
        Assert.Equal(0, full.ResponseSessionId);
        Assert.Equal([Entry(0)], full.Partitions);
        Assert.Equal(0, cache.Count);

        var session = Create(cache, Entry(0), Entry(1));
        Assert.NotEqual(0, session.Id);
        Assert.Equal(1, session.NextEpoch);
        Assert.Equal([Entry(0), Entry(1)], session.Partitions());
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Epoch_0_and_minus_1_close_the_session_they_name()
    {
        var cache = new FetchSessionCache(10, _clock);
        var first = Create(cache, Entry(0));
        var second = cache.Begin(first.Id, FetchSessionEpochs.Initial, false, [Entry(1)], None).Session!;
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(ErrorCode.FetchSessionIdNotFound, cache.Begin(first.Id, 1, false, [], None).Error);

        Assert.Equal(0, cache.Begin(second.Id, FetchSessionEpochs.Final, false, [Entry(1)], None).ResponseSessionId);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void An_incremental_fetch_updates_adds_and_forgets_partitions_and_reads_all_of_the_session()
    {
        var cache = new FetchSessionCache(10, _clock);
        var session = Create(cache, Entry(0), Entry(1), Entry(2));
        var context = cache.Begin(session.Id, 1, false, [Entry(1, offset: 7), Entry(3)], [Key(2)]);
        Assert.Equal(ErrorCode.None, context.Error);
        Assert.True(context.Incremental);
        Assert.Equal(session.Id, context.ResponseSessionId);
        Assert.Equal([Entry(0), Entry(1, offset: 7), Entry(3)], context.Partitions);
        Assert.Equal(2, session.NextEpoch);
    }

    [Fact]
    public void A_wrong_epoch_an_unknown_id_or_other_topic_naming_is_refused_and_changes_nothing()
    {
        var cache = new FetchSessionCache(10, _clock);
        var session = Create(cache, Entry(0));
        Assert.Equal(ErrorCode.InvalidFetchSessionEpoch, cache.Begin(session.Id, 2, false, [Entry(1)], None).Error);
        Assert.Equal(ErrorCode.FetchSessionIdNotFound, cache.Begin(session.Id + 1, 1, false, [], None).Error);
        Assert.Equal(ErrorCode.FetchSessionTopicIdError, cache.Begin(session.Id, 1, usesTopicIds: true, [], None).Error);
        Assert.Equal([Entry(0)], session.Partitions());
        Assert.Equal(1, session.NextEpoch);

        Assert.Equal(ErrorCode.None, cache.Begin(session.Id, 1, false, [], None).Error);
        Assert.Equal(ErrorCode.InvalidFetchSessionEpoch, cache.Begin(session.Id, 1, false, [], None).Error); // a replay
    }

    [Fact]
    public void The_epoch_wraps_to_1_after_int_max()
    {
        Assert.Equal(FetchSessionEpochs.First, FetchSessionEpochs.Next(int.MaxValue));
        Assert.Equal(8, FetchSessionEpochs.Next(7));
    }

    [Fact]
    public void A_session_left_without_partitions_is_closed()
    {
        var cache = new FetchSessionCache(10, _clock);
        var session = Create(cache, Entry(0));
        var context = cache.Begin(session.Id, 1, false, [], [Key(0)]);
        Assert.Equal(ErrorCode.None, context.Error);
        Assert.Equal(0, context.ResponseSessionId);
        Assert.Empty(context.Partitions);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_full_cache_evicts_the_least_recently_used_session_only_once_idle_long_enough()
    {
        var cache = new FetchSessionCache(2, _clock);
        var older = Create(cache, Entry(0));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var newer = Create(cache, Entry(1));

        _clock.Advance(FetchSessionCache.MinEvictionIdle - TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));
        Assert.Null(cache.Begin(0, FetchSessionEpochs.Initial, false, [Entry(2)], None).Session); // answered full, without a session
        Assert.Equal(2, cache.Count);

        // Using the older one makes the newer the least recently used.
        Assert.Equal(ErrorCode.None, cache.Begin(older.Id, 1, false, [], None).Error);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var third = cache.Begin(0, FetchSessionEpochs.Initial, false, [Entry(2)], None).Session;
        Assert.NotNull(third);
        Assert.Equal(ErrorCode.FetchSessionIdNotFound, cache.Begin(newer.Id, 1, false, [], None).Error);
        Assert.Equal(ErrorCode.None, cache.Begin(older.Id, 2, false, [], None).Error);
    }

    [Fact]
    public void A_cache_of_no_slots_creates_no_session()
    {
        var cache = new FetchSessionCache(0, _clock);
        Assert.Equal(0, cache.Begin(0, FetchSessionEpochs.Initial, false, [Entry(0)], None).ResponseSessionId);
    }

    [Fact]
    public void An_incremental_response_lists_only_partitions_with_records_errors_changed_offsets_or_never_sent()
    {
        var cache = new FetchSessionCache(10, _clock);
        var session = Create(cache, Entry(0), Entry(1));
        // The full response lists all, and what it sent is kept.
        Assert.True(session.Answer(Key(0), 5, 5, 0, hasRecords: true, ErrorCode.None, incremental: false));
        Assert.True(session.Answer(Key(1), 3, 3, 0, hasRecords: false, ErrorCode.None, incremental: false));

        cache.Begin(session.Id, 1, false, [Entry(2)], None);
        Assert.False(session.Answer(Key(1), 3, 3, 0, false, ErrorCode.None, true)); // nothing new
        Assert.True(session.Answer(Key(2), 0, 0, 0, false, ErrorCode.None, true)); // new to the session
        Assert.True(session.Answer(Key(0), 5, 5, 0, true, ErrorCode.None, true)); // records
        Assert.True(session.Answer(Key(1), 4, 3, 0, false, ErrorCode.None, true)); // high watermark
        Assert.True(session.Answer(Key(1), 4, 4, 0, false, ErrorCode.None, true)); // last stable offset
        Assert.True(session.Answer(Key(1), 4, 4, 2, false, ErrorCode.None, true)); // log start offset
        Assert.False(session.Answer(Key(1), 4, 4, 2, false, ErrorCode.None, true));
        Assert.True(session.Answer(Key(1), -1, -1, -1, false, ErrorCode.NotLeaderOrFollower, true)); // an error
        Assert.True(session.Answer(Key(1), -1, -1, -1, false, ErrorCode.NotLeaderOrFollower, true)); // every time
        Assert.True(session.Answer(Key(1), 4, 4, 2, false, ErrorCode.None, true)); // back from the error
    }

    [Fact]
    public void Partitions_that_return_records_in_an_incremental_fetch_move_to_the_end_of_the_order()
    {
        var cache = new FetchSessionCache(10, _clock);
        var session = Create(cache, Entry(0), Entry(1), Entry(2));
        Assert.True(session.Answer(Key(0), 5, 5, 0, hasRecords: true, ErrorCode.None, incremental: false));
        Assert.Equal([Key(0), Key(1), Key(2)], session.Partitions().Select(p => p.Key)); // not on a full fetch

        var context = cache.Begin(session.Id, 1, false, [], None);
        Assert.True(context.Answer(Key(0), 9, 9, 0, hasRecords: true, ErrorCode.None));
        Assert.True(context.Answer(Key(1), 2, 2, 0, hasRecords: false, ErrorCode.None));
        Assert.Equal([Key(1), Key(2), Key(0)], session.Partitions().Select(p => p.Key));
        Assert.Equal([Key(1), Key(2), Key(0)], cache.Begin(session.Id, 2, false, [], None).Partitions.Select(p => p.Key));
    }

    [Fact]
    public void Concurrent_fetches_on_different_sessions_each_see_their_own_epochs()
    {
        var cache = new FetchSessionCache(100, _clock);
        var sessions = Enumerable.Range(0, 50).Select(i => Create(cache, Entry(i))).ToArray();
        Parallel.ForEach(sessions, session =>
        {
            for (var epoch = 1; epoch <= 200; epoch++)
            {
                var context = cache.Begin(session.Id, epoch, false, [Entry(1000 + epoch % 3)], None);
                Assert.Equal(ErrorCode.None, context.Error);
                foreach (var partition in context.Partitions) context.Answer(partition.Key, epoch, epoch, 0, true, ErrorCode.None);
            }
        });
        Assert.All(sessions, s => Assert.Equal(201, s.NextEpoch));
        Assert.All(sessions, s => Assert.Equal(4, s.Partitions().Length));
    }
}
