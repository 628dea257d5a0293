using System.Globalization;
using System.Text;
using Hub.Batches;

namespace Hub.Client;

/// <summary>
/// A record of a dead-letter topic read back: where its event came from, why it failed, and the original record
/// (key, value, headers without the dead-letter ones, timestamp) to replay. What <c>hub deadletters</c> reads.
/// </summary>
public sealed record DeadLetter(
    string? SourceTopic,
    int? SourcePartition,
    long? SourceOffset,
    int? Attempts,
    string? ErrorType,
    string? ErrorMessage,
    string? ConsumerGroup,
    string? Subscriber,
    DateTimeOffset? FailedAt,
    long TimestampMs,
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<RecordHeader> OriginalHeaders)
{
    /// <summary>Reads a dead letter; a field whose header is missing (a record some other tool wrote) is null.</summary>
    public static DeadLetter Read(in Record record)
    {
        var all = record.DecodeHeaders();
        var text = all.Where(h => DeadLetterHeaders.IsDeadLetterHeader(h.Key) && h.Value is not null)
            .GroupBy(h => h.Key).ToDictionary(g => g.Key, g => Encoding.UTF8.GetString(g.Last().Value!.Value.Span));
        var original = all.Where(h => !DeadLetterHeaders.IsDeadLetterHeader(h.Key))
            .Select(h => new RecordHeader(h.Key, h.Value?.ToArray())).ToList();
        return new DeadLetter(
            text.GetValueOrDefault(DeadLetterHeaders.Topic),
            (int?)Number(text, DeadLetterHeaders.Partition),
            Number(text, DeadLetterHeaders.Offset),
            (int?)Number(text, DeadLetterHeaders.Attempts),
            text.GetValueOrDefault(DeadLetterHeaders.ErrorType),
            text.GetValueOrDefault(DeadLetterHeaders.ErrorMessage),
            text.GetValueOrDefault(DeadLetterHeaders.ConsumerGroup),
            text.GetValueOrDefault(DeadLetterHeaders.Subscriber),
            Number(text, DeadLetterHeaders.FailedAt) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            record.Timestamp,
            record.Key?.ToArray(),
            record.Value?.ToArray(),
            original);
    }

    /// <summary>The original record as it was before it failed: to produce again to its source topic.</summary>
    public ProducerRecord ToOriginal() => new() { Key = Key, Value = Value, Headers = OriginalHeaders, TimestampMs = TimestampMs };

    private static long? Number(Dictionary<string, string> headers, string key) =>
        headers.TryGetValue(key, out var value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;
}
