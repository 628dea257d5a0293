using System.CommandLine;
using Hub.Batches;
using Hub.Client;
using Hub.Partitions;

namespace Hub.Cli.CommandLine;

/// <summary>Options that several commands take, built alike so they read and check alike.</summary>
public static class CommonOptions
{
    public static Argument<string> TopicArgument() => new("topic") { Description = "Topic name" };

    public static Option<int?> PartitionOption(string description) =>
        NonNegative(new Option<int?>("--partition") { Description = description });

    /// <summary>--acks all|-1|1|0, Kafka's spellings; the default is all, as in Kafka since 3.0.</summary>
    public static Option<Acks> AcksOption() =>
        Keyword("--acks", "all|1|0", "When a record counts as sent: all (or -1), 1 (the leader has it) or 0 (not waited for)",
            Acks.All, TryParseAcks, "all, -1, 1 or 0");

    public static bool TryParseAcks(string text, out Acks acks)
    {
        (var known, acks) = text.ToLowerInvariant() switch
        {
            "all" or "-1" => (true, Acks.All),
            "1" => (true, Acks.Leader),
            "0" => (true, Acks.None),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>--compression none|gzip|snappy|lz4|zstd, the producer's compression.type as Kafka's tools spell it; none by default.</summary>
    public static Option<CompressionType> CompressionOption() =>
        Keyword("--compression", "none|gzip|snappy|lz4|zstd", "Codec the producer compresses each batch with (compression.type)",
            CompressionType.None, TryParseCompression, "none, gzip, snappy, lz4 or zstd");

    public static bool TryParseCompression(string text, out CompressionType codec)
    {
        (var known, codec) = text.ToLowerInvariant() switch
        {
            "none" => (true, CompressionType.None),
            "gzip" => (true, CompressionType.Gzip),
            "snappy" => (true, CompressionType.Snappy),
            "lz4" => (true, CompressionType.Lz4),
            "zstd" => (true, CompressionType.Zstd),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>--isolation-level read_committed|read_uncommitted, as Kafka's console consumer; read_committed by default, as the SDK's.</summary>
    public static Option<IsolationLevel> IsolationLevelOption() =>
        Keyword("--isolation-level", "read_committed|read_uncommitted",
            "read_committed stops at the last stable offset (no open or aborted transactions' records); read_uncommitted at the high watermark",
            IsolationLevel.ReadCommitted, TryParseIsolationLevel, "read_committed or read_uncommitted");

    public static bool TryParseIsolationLevel(string text, out IsolationLevel level)
    {
        (var known, level) = text.ToLowerInvariant() switch
        {
            "read_committed" => (true, IsolationLevel.ReadCommitted),
            "read_uncommitted" => (true, IsolationLevel.ReadUncommitted),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>
    /// How the CLI's consumers fetch: each record is printed or counted (copied out) before the next is asked for,
    /// so their fetch buffers can go back to the pool (<see cref="RecordLifetime.UntilNextBatch"/>).
    /// </summary>
    public static ConsumerOptions PrintingConsumerOptions(IsolationLevel isolationLevel) =>
        new() { IsolationLevel = isolationLevel, RecordLifetime = RecordLifetime.UntilNextBatch };

    public static Option<T> Positive<T>(Option<T> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value > T.Zero, "must be greater than 0");

    public static Option<T?> Positive<T>(Option<T?> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value is not { } v || v > T.Zero, "must be greater than 0");

    public static Option<T?> NonNegative<T>(Option<T?> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value is not { } v || v >= T.Zero, "must not be negative");

    public static Option<T> NonNegative<T>(Option<T> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value >= T.Zero, "must not be negative");

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>An option taking one of a few words; anything else is a parse error naming the words <paramref name="accepted"/>.</summary>
    private static Option<T> Keyword<T>(string name, string helpName, string description, T defaultValue, TryParse<T> tryParse, string accepted) =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                if (tryParse(result.Tokens[0].Value, out var value)) return value;
                result.AddError($"{name} must be {accepted}, not '{result.Tokens[0].Value}'");
                return defaultValue;
            },
        };

    private static Option<T> Checked<T>(Option<T> option, Func<T, bool> isValid, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !isValid(result.GetValueOrDefault<T>()))
                result.AddError($"{option.Name} {rule}");
        });
        return option;
    }
}
