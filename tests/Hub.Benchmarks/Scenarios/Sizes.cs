namespace Hub.Benchmarks.Scenarios;

/// <summary>The record sizes every throughput scenario runs with, and the partition count of the headline figures.</summary>
public static class Sizes
{
    public const int Small = 100;
    public const int Large = 1024;

    /// <summary>Partitions of the headline produce/consume topics (the partitions scenario varies it).</summary>
    public const int Partitions = 4;

    public static string Label(int size) => size == Large ? "1 KiB" : $"{size} B";

    public static long Records(BenchContext context, int size) => size == Small ? context.Options.Records100 : context.Options.Records1K;
}
