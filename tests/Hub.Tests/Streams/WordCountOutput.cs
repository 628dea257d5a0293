using System.Globalization;
using Confluent.Kafka;

namespace Hub.Tests.Streams;

/// <summary>
/// The word count's output topic as a Kafka consumer reads it from the beginning: every count each word got, in the
/// order written (a word's counts share one partition, as the output is keyed by word).
/// </summary>
public sealed class WordCountOutput : IDisposable
{
    /// <summary>How long one poll waits before the deadline is checked again.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);

    private readonly IConsumer<string, string> _consumer;
    private readonly Dictionary<string, List<long>> _counts = [];
    private readonly HashSet<int> _partitionsAtEnd = [];
    private readonly int _partitions;

    public WordCountOutput(string bootstrap, string topic, int partitions, IsolationLevel isolation)
    {
        _consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "unused", EnableAutoCommit = false, IsolationLevel = isolation, EnablePartitionEof = true,
        }).Build();
        _partitions = partitions;
        _consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
    }

    /// <summary>Every count read so far, per word.</summary>
    public IReadOnlyDictionary<string, List<long>> Counts => _counts;

    /// <summary>Each word's latest count.</summary>
    public Dictionary<string, long> Latest() => _counts.ToDictionary(c => c.Key, c => c.Value[^1]);

    /// <summary>Output records read so far.</summary>
    public int Records => _counts.Values.Sum(c => c.Count);

    /// <summary>Reads until every word of <paramref name="truth"/> got at least its true count; throws after <paramref name="timeout"/>.</summary>
    public void ReadUntilCounted(IReadOnlyDictionary<string, long> truth, TimeSpan timeout) =>
        ReadUntil(() => truth.All(t => _counts.TryGetValue(t.Key, out var counts) && counts[^1] >= t.Value),
            () => "counts reached the truth; behind: " + string.Join(", ", truth
                .Where(t => !_counts.TryGetValue(t.Key, out var counts) || counts[^1] < t.Value)
                .Select(t => $"{t.Key} {(_counts.TryGetValue(t.Key, out var counts) ? counts[^1] : 0)}/{t.Value}")),
            timeout);

    /// <summary>
    /// Reads until every partition's end (at read_committed its last stable offset). All there is only for a reader
    /// made after the writers stopped: an end reached before records were added is not looked at again.
    /// </summary>
    public void ReadToEnd(TimeSpan timeout) =>
        ReadUntil(() => _partitionsAtEnd.Count == _partitions, () => $"the end of all {_partitions} partitions", timeout);

    /// <summary>Reads until <paramref name="done"/> holds; throws, saying <paramref name="what"/> was awaited, after <paramref name="timeout"/>.</summary>
    public void ReadUntil(Func<bool> done, Func<string> what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"within {timeout}: {what()} ({Records} output records read)");
            if (_consumer.Consume(PollTimeout) is not { } result) continue;
            if (result.IsPartitionEOF)
            {
                _partitionsAtEnd.Add(result.Partition.Value);
                continue;
            }
            _partitionsAtEnd.Remove(result.Partition.Value);
            if (!_counts.TryGetValue(result.Message.Key, out var counts)) _counts[result.Message.Key] = counts = [];
            counts.Add(long.Parse(result.Message.Value, CultureInfo.InvariantCulture));
        }
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
