namespace Hub.Client;

/// <summary>Why and where an event is dead-lettered: its source position, how often it failed and the last failure.</summary>
/// <param name="Attempts">How often the handler failed on it; null when not known.</param>
/// <param name="ConsumerGroup">The group the event was read for, if any.</param>
/// <param name="Subscriber">Who failed on it (a grain, an application's handler name), if known.</param>
internal sealed record DeadLetterFailure(
    string Topic, int Partition, long Offset, int? Attempts, Exception Error, string? ConsumerGroup, string? Subscriber, DateTimeOffset FailedAt);
