using System.CommandLine;
using Hub.Batches;
using Hub.Client;

namespace Hub.Cli.CommandLine;

/// <summary>Options that several commands take, built alike so they read and check alike.</summary>
public static class CommonOptions
{
    public static Argument<string> TopicArgument() => new("topic") { Description = "Topic name" };

    public static Option<int?> PartitionOption(string description) =>
        NonNegative(new Option<int?>("--partition") { Description = description });

    /// <summary>--acks all|-1|1|0, Kafka's spellings; the default is all, as in Kafka since 3.0.</summary>
    public static Option<Acks> AcksOption() =>
        new Option<Acks>("--acks")
        {
            HelpName = "all|1|0",
            Description = "When a record counts as sent: all (or -1), 1 (the leader has it) or 0 (not waited for)",
            DefaultValueFactory = _ => Acks.All,
            CustomParser = result =>
            {
                if (TryParseAcks(result.Tokens[0].Value, out var acks)) return acks;
                result.AddError($"--acks must be all, -1, 1 or 0, not '{result.Tokens[0].Value}'");
                return default;
            },
        };

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
        new Option<CompressionType>("--compression")
        {
            HelpName = "none|gzip|snappy|lz4|zstd",
            Description = "Codec the producer compresses each batch with (compression.type)",
            DefaultValueFactory = _ => CompressionType.None,
            CustomParser = result =>
            {
                if (TryParseCompression(result.Tokens[0].Value, out var codec)) return codec;
                result.AddError($"--compression must be none, gzip, snappy, lz4 or zstd, not '{result.Tokens[0].Value}'");
                return default;
            },
        };

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

    public static Option<T> Positive<T>(Option<T> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value > T.Zero, "must be greater than 0");

    public static Option<T?> Positive<T>(Option<T?> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value is not { } v || v > T.Zero, "must be greater than 0");

    public static Option<T?> NonNegative<T>(Option<T?> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value is not { } v || v >= T.Zero, "must not be negative");

    public static Option<T> NonNegative<T>(Option<T> option) where T : struct, System.Numerics.INumber<T> =>
        Checked(option, value => value >= T.Zero, "must not be negative");

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
