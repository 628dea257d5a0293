using System.Text;
using Hub.Batches;
using Hub.Client;

namespace Hub.Tests.DeadLetters;

public sealed class DeadLetterPolicyTests
{
    [Fact]
    public void Attempts_count_the_first_one_and_the_last_failure_dead_letters()
    {
        var policy = new DeadLetterPolicy { MaxAttempts = 3 };
        Assert.True(policy.ShouldRetry(1));
        Assert.True(policy.ShouldRetry(2));
        Assert.False(policy.ShouldRetry(3));
        Assert.False(new DeadLetterPolicy { MaxAttempts = 1 }.ShouldRetry(1));
    }

    [Fact]
    public void Backoff_grows_by_the_multiplier_up_to_the_maximum()
    {
        var policy = new DeadLetterPolicy
        {
            MaxAttempts = 6, InitialBackoff = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 3, MaxBackoff = TimeSpan.FromSeconds(2),
        };
        Assert.Equal([100, 300, 900, 2000, 2000], Enumerable.Range(1, 5).Select(f => policy.BackoffAfter(f).TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMilliseconds(5300), policy.TotalBackoff);
        Assert.Equal(TimeSpan.Zero, new DeadLetterPolicy { MaxAttempts = 1 }.TotalBackoff);
        // A huge exponent saturates at the maximum instead of overflowing.
        Assert.Equal(policy.MaxBackoff, policy.BackoffAfter(DeadLetterPolicy.MaxAttemptsLimit));
    }

    [Fact]
    public void The_topic_is_per_source_unless_one_is_configured()
    {
        Assert.Equal("orders.dlq", new DeadLetterPolicy().TopicFor("orders"));
        Assert.Equal("all-failures", new DeadLetterPolicy { Topic = "all-failures" }.TopicFor("orders"));
    }

    [Theory]
    [InlineData(0, 100, 2.0, 1000)]
    [InlineData(DeadLetterPolicy.MaxAttemptsLimit + 1, 100, 2.0, 1000)]
    [InlineData(3, -1, 2.0, 1000)]
    [InlineData(3, 100, 0.5, 1000)]
    [InlineData(3, 100, double.NaN, 1000)]
    [InlineData(3, 100, 2.0, 50)]
    public void Out_of_range_settings_are_refused(int attempts, int initialMs, double multiplier, int maxMs) =>
        Assert.ThrowsAny<ArgumentException>(() => new DeadLetterPolicy
        {
            MaxAttempts = attempts, InitialBackoff = TimeSpan.FromMilliseconds(initialMs), BackoffMultiplier = multiplier,
            MaxBackoff = TimeSpan.FromMilliseconds(maxMs),
        }.Validate());

    [Fact]
    public void Headers_describe_the_failure_after_the_original_ones_and_read_back()
    {
        Exception error;
        try
        {
            throw new InvalidOperationException("cannot bill " + new string('x', DeadLetterHeaders.MaxErrorTextChars));
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }
        var failedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);
        var failure = new DeadLetterFailure("orders", 2, 41, 3, error, "billing", "invoicer", failedAt);
        // A dead letter that failed again and is dead-lettered anew: its old hub.dlq.* headers are replaced, not repeated.
        RecordHeader[] original = [new("trace", "t-1"u8.ToArray()), new(DeadLetterHeaders.Attempts, "9"u8.ToArray()), new("empty", null)];

        var headers = DeadLetterHeaders.For(original, failure, originalTimestamp: 1_700_000_000_000);

        Assert.Equal(["trace", "empty"], headers.Take(2).Select(h => h.Key));
        var text = headers.Skip(2).ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.Value!.Value.Span));
        Assert.Equal("orders", text[DeadLetterHeaders.Topic]);
        Assert.Equal("2", text[DeadLetterHeaders.Partition]);
        Assert.Equal("41", text[DeadLetterHeaders.Offset]);
        Assert.Equal("1700000000000", text[DeadLetterHeaders.Timestamp]);
        Assert.Equal("3", text[DeadLetterHeaders.Attempts]);
        Assert.Equal("System.InvalidOperationException", text[DeadLetterHeaders.ErrorType]);
        Assert.Equal(DeadLetterHeaders.MaxErrorTextChars, text[DeadLetterHeaders.ErrorMessage].Length);
        Assert.StartsWith("cannot bill xxx", text[DeadLetterHeaders.ErrorMessage]);
        Assert.Contains(nameof(Headers_describe_the_failure_after_the_original_ones_and_read_back), text[DeadLetterHeaders.ErrorStackTrace]);
        Assert.Equal("billing", text[DeadLetterHeaders.ConsumerGroup]);
        Assert.Equal("invoicer", text[DeadLetterHeaders.Subscriber]);
        Assert.Equal("1800000000123", text[DeadLetterHeaders.FailedAt]);
        Assert.All(text.Keys, key => Assert.True(DeadLetterHeaders.IsDeadLetterHeader(key)));
    }
}
