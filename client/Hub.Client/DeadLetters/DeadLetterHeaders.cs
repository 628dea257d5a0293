using System.Globalization;
using System.Text;
using Hub.Batches;

namespace Hub.Client;

/// <summary>
/// The headers a dead letter carries beside its original record's key, value, headers and timestamp (all kept
/// unchanged). Every value is UTF-8 text, numbers in decimal and times in Unix milliseconds, so kcat and
/// <c>hub consume</c> show them as they are (Kafka Connect's dead-letter headers are text too).
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>Every dead-letter header starts with this; a replay drops them and keeps the rest.</summary>
    public const string Prefix = "hub.dlq.";

    /// <summary>The topic the event was read from.</summary>
    public const string Topic = Prefix + "topic";

    public const string Partition = Prefix + "partition";

    public const string Offset = Prefix + "offset";

    /// <summary>The original record's timestamp (Unix ms); the dead letter keeps it as its own timestamp too.</summary>
    public const string Timestamp = Prefix + "timestamp";

    /// <summary>How many times the handler was run on the event, all of them failed (absent when not known).</summary>
    public const string Attempts = Prefix + "attempts";

    /// <summary>Full name of the last failure's exception type.</summary>
    public const string ErrorType = Prefix + "error.type";

    /// <summary>The last failure's message, at most <see cref="MaxErrorTextChars"/> characters.</summary>
    public const string ErrorMessage = Prefix + "error.message";

    /// <summary>The last failure's stack trace, at most <see cref="MaxErrorTextChars"/> characters.</summary>
    public const string ErrorStackTrace = Prefix + "error.stacktrace";

    /// <summary>The consumer group the event was read for (the stream provider's group for grain subscribers), when there is one.</summary>
    public const string ConsumerGroup = Prefix + "consumer-group";

    /// <summary>Who failed on it: the subscriber grain, or the name an SDK application gave its handler.</summary>
    public const string Subscriber = Prefix + "subscriber";

    /// <summary>When the event was dead-lettered (Unix ms).</summary>
    public const string FailedAt = Prefix + "failed-at";

    /// <summary>
    /// Longest error message and stack trace kept: enough to diagnose, while the dead letter stays within the
    /// topic's max.message.bytes (1 MiB by default) next to the original value.
    /// </summary>
    public const int MaxErrorTextChars = 4096;

    /// <summary>Whether <paramref name="key"/> is one of the headers a dead letter adds.</summary>
    public static bool IsDeadLetterHeader(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The original headers, then the dead-letter headers describing <paramref name="failure"/> (earlier ones of a re-failed dead letter replaced).</summary>
    internal static IReadOnlyList<RecordHeader> For(IEnumerable<RecordHeader> original, DeadLetterFailure failure, long originalTimestamp)
    {
        var headers = original.Where(h => !IsDeadLetterHeader(h.Key)).ToList();
        Add(headers, Topic, failure.Topic);
        Add(headers, Partition, Number(failure.Partition));
        Add(headers, Offset, Number(failure.Offset));
        Add(headers, Timestamp, Number(originalTimestamp));
        if (failure.Attempts is { } attempts) Add(headers, Attempts, Number(attempts));
        Add(headers, ErrorType, failure.Error.GetType().FullName ?? failure.Error.GetType().Name);
        Add(headers, ErrorMessage, Truncated(failure.Error.Message));
        if (failure.Error.StackTrace is { } stackTrace) Add(headers, ErrorStackTrace, Truncated(stackTrace));
        if (failure.ConsumerGroup is { } group) Add(headers, ConsumerGroup, group);
        if (failure.Subscriber is { } subscriber) Add(headers, Subscriber, subscriber);
        Add(headers, FailedAt, Number(failure.FailedAt.ToUnixTimeMilliseconds()));
        return headers;
    }

    private static void Add(List<RecordHeader> headers, string key, string value) => headers.Add(new RecordHeader(key, Encoding.UTF8.GetBytes(value)));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Truncated(string text) => text.Length <= MaxErrorTextChars ? text : text[..MaxErrorTextChars];
}
