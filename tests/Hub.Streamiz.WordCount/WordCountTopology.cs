using System.Globalization;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Stream;
using Streamiz.Kafka.Net.Table;

namespace Hub.Streamiz.WordCount;

/// <summary>
/// Kafka Streams' word count: lines of text in, each word's running count out. Grouping by word repartitions
/// (an internal repartition topic keyed by word), and the count lives in an in-memory store backed by a
/// compacted changelog topic, so a new instance rebuilds it from the changelog.
/// </summary>
public static class WordCountTopology
{
    /// <summary>The count store.</summary>
    public const string StoreName = "counts";

    /// <summary>
    /// Small segments for the changelog, so Hub's cleaner compacts closed ones within a test's few thousand counts
    /// (Kafka's default segment is 1 GiB) and a new instance restores from a compacted log, gaps in its offsets.
    /// </summary>
    public const int ChangelogSegmentBytes = 4 * 1024;

    /// <summary>The count store's changelog topic, which Streamiz creates compacted.</summary>
    public static string ChangelogTopic(string applicationId) => $"{applicationId}-{StoreName}-changelog";

    /// <summary>The words of a line, as the topology splits it (tests count the truth with the same rule).</summary>
    public static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <param name="input">Topic of text lines (any key).</param>
    /// <param name="output">Topic the counts go to: key the word, value its count in decimal, one record per counted word.</param>
    public static Topology Build(string input, string output)
    {
        var builder = new StreamBuilder();
        builder.Stream<string, string>(input)
            .FlatMapValues((line, _) => Words(line))
            .GroupBy((_, word, _) => word)
            .Count(InMemory.As<string, long>(StoreName).WithLoggingEnabled(new Dictionary<string, string>
            {
                ["segment.bytes"] = ChangelogSegmentBytes.ToString(CultureInfo.InvariantCulture),
            }))
            .ToStream()
            // Text, so the output reads the same from any client (Streamiz's Int64SerDes is little-endian, Kafka's LongSerializer big-endian).
            .MapValues((count, _) => count.ToString(CultureInfo.InvariantCulture))
            .To<StringSerDes, StringSerDes>(output);
        return builder.Build();
    }
}
