namespace Hub.Client;

/// <summary>
/// What happens to an event its handler keeps failing on (a poison event): it is tried <see cref="MaxAttempts"/>
/// times in all, waiting an exponential backoff between attempts, and then written to a dead-letter topic with
/// headers saying where it came from and why (<see cref="DeadLetterHeaders"/>), so the consumer can go on with the
/// next event instead of stopping or skipping it silently. One policy serves both doors: SDK consumers
/// (<see cref="DeadLetterHandler"/>) and Orleans grain subscribers (<c>HubStreamOptions.DeadLetters</c>).
/// <para>A plain description: it computes, it never waits (the callers wait on their own clocks).</para>
/// </summary>
public sealed class DeadLetterPolicy
{
    /// <summary>Appended to the source topic's name when <see cref="Topic"/> is not set: <c>orders</c> → <c>orders.dlq</c>.</summary>
    public const string DefaultTopicSuffix = ".dlq";

    /// <summary>
    /// Most attempts a policy may ask for: more only delays the dead letter (and, for grain subscribers, holds
    /// the stream's later events longer) without a better chance of success.
    /// </summary>
    public const int MaxAttemptsLimit = 100;

    /// <summary>
    /// Attempts in all, the first one included, before the event is dead-lettered; 1 dead-letters on the first
    /// failure. Default 5.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait after the first failed attempt. Default 100 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Each further wait is the previous one times this (at least 1). Default 2.</summary>
    public double BackoffMultiplier { get; set; } = 2;

    /// <summary>Longest wait between two attempts. Default 10 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The dead-letter topic; null (the default) means one per source topic, <c>&lt;topic&gt;.dlq</c>. One topic
    /// for everything (Kafka Connect's <c>errors.deadletterqueue.topic.name</c>) works too: each dead letter names
    /// its source in its headers.
    /// </summary>
    public string? Topic { get; set; }

    /// <summary>
    /// Create the dead-letter topic (with <see cref="CreatedTopicPartitions"/> partition) on the first dead letter
    /// when it does not exist; false makes a missing topic an error, for clusters whose topics are provisioned.
    /// Default true.
    /// </summary>
    public bool CreateTopic { get; set; } = true;

    /// <summary>
    /// Partitions of a dead-letter topic the policy creates: one, as Kafka Connect creates its dead-letter
    /// queue; poison events are rare, and one partition lists them in the order they failed.
    /// </summary>
    public const int CreatedTopicPartitions = 1;

    /// <summary>The dead-letter topic for events of <paramref name="sourceTopic"/>.</summary>
    public string TopicFor(string sourceTopic) => Topic ?? sourceTopic + DefaultTopicSuffix;

    /// <summary>Whether an event that has failed <paramref name="failedAttempts"/> times is tried again (else it is dead-lettered).</summary>
    public bool ShouldRetry(int failedAttempts) => failedAttempts < MaxAttempts;

    /// <summary>
    /// The wait after <paramref name="failedAttempts"/> failures before the next attempt:
    /// <see cref="InitialBackoff"/> × <see cref="BackoffMultiplier"/>^(failedAttempts - 1), at most <see cref="MaxBackoff"/>.
    /// </summary>
    public TimeSpan BackoffAfter(int failedAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var ticks = InitialBackoff.Ticks * Math.Pow(BackoffMultiplier, failedAttempts - 1);
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Every wait an event that fails each attempt goes through before it is dead-lettered.</summary>
    public TimeSpan TotalBackoff =>
        Enumerable.Range(1, MaxAttempts - 1).Aggregate(TimeSpan.Zero, (total, failed) => total + BackoffAfter(failed));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxAttempts is < 1 or > MaxAttemptsLimit)
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, $"expected 1 to {MaxAttemptsLimit} attempts");
        if (InitialBackoff < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), InitialBackoff, "must not be negative");
        if (!(BackoffMultiplier >= 1) || double.IsInfinity(BackoffMultiplier))
            throw new ArgumentOutOfRangeException(nameof(BackoffMultiplier), BackoffMultiplier, "expected a finite number of at least 1");
        if (MaxBackoff < InitialBackoff)
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, $"must not be below InitialBackoff ({InitialBackoff})");
        if (Topic is "")
            throw new ArgumentException("Topic must not be empty: null means <source topic>.dlq", nameof(Topic));
    }
}
