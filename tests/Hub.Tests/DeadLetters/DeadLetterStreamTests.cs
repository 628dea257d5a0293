using System.Text;
using Hub.Client;
using Hub.Errors;
using Hub.Tests.Cluster;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.DeadLetters;

/// <summary>Grain subscribers of a Hub stream provider with a dead-letter policy (TestingHost, co-hosted).</summary>
public sealed class DeadLetterStreamTests : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(configurators: [typeof(DeadLetterClusterConfigurator)]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_subscriber_that_throws_on_one_event_sends_it_to_the_dead_letter_topic_and_goes_on_in_order()
    {
        PoisonSubscriberGrain.Log.Clear();
        const long poisonTimestamp = 1_750_000_000_000;
        await using (var producer = _cluster.Client.CreateProducer(new ProducerOptions { LingerMs = 0 }))
        {
            // One partition: stream b's events sit behind stream a's poison event in the same queue.
            foreach (var (key, value) in new[] { ("a", "1"), ("a", PoisonSubscriberGrain.Poison), ("a", "2"), ("a", "3"), ("b", "x"), ("b", "y") })
            {
                await producer.ProduceAsync(DeadLetterClusterConfigurator.Topic, new ProducerRecord
                {
                    Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value),
                    TimestampMs = value == PoisonSubscriberGrain.Poison ? poisonTimestamp : null,
                    Headers = [new Hub.Batches.RecordHeader("source", "test"u8.ToArray())],
                });
            }
        }

        var deadLetterTopic = DeadLetterClusterConfigurator.Policy.TopicFor(DeadLetterClusterConfigurator.Topic);
        await WaitUntilAsync(() => PoisonSubscriberGrain.Log.Contains("a:3") && PoisonSubscriberGrain.Log.Contains("b:y"), "both streams delivered their last event");
        var log = PoisonSubscriberGrain.Log.ToList();

        // Stream a: three attempts at the poison event, then its later events, in order.
        Assert.Equal(["a:1", "a:poison#1", "a:poison#2", "a:poison#3", "a:2", "a:3"], log.Where(e => e.StartsWith("a:")));
        // Stream b, behind it in the queue, did not wait for a's retries.
        Assert.Equal(["b:x", "b:y"], log.Where(e => e.StartsWith("b:")));
        Assert.True(log.IndexOf("b:y") < log.IndexOf("a:poison#3"), $"b's events were delivered during a's retries: {string.Join(", ", log)}");

        var letter = Assert.Single(await DeadLetterTopic.ReadAsync(_cluster.Client, deadLetterTopic, 1, Bound));
        Assert.Equal((DeadLetterClusterConfigurator.Topic, 0, 1L, 3), (letter.SourceTopic, letter.SourcePartition, letter.SourceOffset, letter.Attempts));
        Assert.Equal((typeof(InvalidOperationException).FullName, "cannot handle offset 1"), (letter.ErrorType, letter.ErrorMessage));
        Assert.Equal($"orleans-streams.{DeadLetterClusterConfigurator.Provider}", letter.ConsumerGroup);
        Assert.Contains("/a", letter.Subscriber);
        Assert.Equal(("a", PoisonSubscriberGrain.Poison, poisonTimestamp), (Text(letter.Key), Text(letter.Value), letter.TimestampMs));
        Assert.Equal([("source", "test")], letter.OriginalHeaders.Select(h => (h.Key, Text(h.Value?.ToArray()))));

        // Every event counts as delivered, the dead-lettered one included, and it was dead-lettered once.
        await WaitUntilAsync(async () =>
        {
            try
            {
                var progress = await _cluster.Client.Admin.DescribeGroupAsync($"orleans-streams.{DeadLetterClusterConfigurator.Provider}");
                return progress.Partitions.Any(p => p.CommittedOffset == 6);
            }
            catch (HubException e) when (e.Code == ErrorCode.GroupIdNotFound)
            {
                return false; // the provider's first commit is still on its way
            }
        }, "the provider committed all 6 events");
        Assert.Equal(1, await DeadLetterTopic.RecordCountAsync(_cluster.Client, deadLetterTopic));
        Assert.Equal(3, PoisonSubscriberGrain.Log.Count(e => e.StartsWith("a:poison")));
    }

    [Fact]
    public async Task An_event_the_pulling_agent_gives_up_on_is_dead_lettered_not_skipped()
    {
        PoisonSubscriberGrain.Log.Clear();
        await using (var producer = _cluster.Client.CreateProducer(new ProducerOptions { LingerMs = 0 }))
        {
            foreach (var value in new[] { "1", PoisonSubscriberGrain.Poison, "2" })
                await producer.ProduceAsync(DeadLetterClusterConfigurator.GivingUpTopic, new ProducerRecord { Key = "g"u8.ToArray(), Value = Encoding.UTF8.GetBytes(value) });
        }

        await WaitUntilAsync(() => PoisonSubscriberGrain.Log.Contains("g:2"), "the event after the poison one was delivered");

        var letter = Assert.Single(await DeadLetterTopic.ReadAsync(_cluster.Client, DeadLetterClusterConfigurator.GivingUpTopic + ".dlq", 1, Bound));
        Assert.Equal((DeadLetterClusterConfigurator.GivingUpTopic, 0, 1L), (letter.SourceTopic, letter.SourcePartition, letter.SourceOffset));
        Assert.Equal(typeof(TimeoutException).FullName, letter.ErrorType);
        Assert.Null(letter.Attempts); // the agent does not say how often it tried
        Assert.Equal(PoisonSubscriberGrain.Poison, Text(letter.Value));
        Assert.InRange(PoisonSubscriberGrain.Log.Count(e => e.StartsWith("g:poison")), 2, 99);
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
