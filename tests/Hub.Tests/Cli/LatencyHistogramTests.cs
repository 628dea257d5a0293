using Hub.Cli.Perf;

namespace Hub.Tests.Cli;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.ValueAtPercentile(99));
        Assert.Equal(0, histogram.Max);
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 50; v++) histogram.Record(v);

        Assert.Equal(25, histogram.ValueAtPercentile(50));
        Assert.Equal(50, histogram.ValueAtPercentile(99));
        Assert.Equal(1, histogram.ValueAtPercentile(0));
    }

    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_the_bucket_precision()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 1_000_000; v++) histogram.Record(v);

        AssertClose(500_000, histogram.ValueAtPercentile(50));
        AssertClose(990_000, histogram.ValueAtPercentile(99));
        AssertClose(999_000, histogram.ValueAtPercentile(99.9));
        Assert.Equal(1_000_000, histogram.ValueAtPercentile(100));
        Assert.Equal(1_000_000, histogram.Max);
        Assert.Equal(1_000_000, histogram.TotalCount);
    }

    [Fact]
    public void A_rare_outlier_shows_in_the_tail_only()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 9_999; i++) histogram.Record(1_000);
        histogram.Record(5_000_000);

        AssertClose(1_000, histogram.ValueAtPercentile(99.9));
        Assert.Equal(5_000_000, histogram.ValueAtPercentile(100));
        Assert.Equal(5_000_000, histogram.Max);
    }

    [Fact]
    public void Huge_values_fit()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(long.MaxValue);

        Assert.Equal(long.MaxValue, histogram.ValueAtPercentile(50));
    }

    [Fact]
    public void Concurrent_recording_loses_nothing()
    {
        var histogram = new LatencyHistogram();

        Parallel.For(0, 100_000, i => histogram.Record(i % 1000));

        Assert.Equal(100_000, histogram.TotalCount);
        Assert.Equal(999, histogram.Max);
    }

    /// <summary>A reported value is never below the true one and at most 1/64 above it.</summary>
    private static void AssertClose(long expected, long actual) =>
        Assert.InRange(actual, expected, expected + expected / 64);
}
