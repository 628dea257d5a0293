using Hub.Benchmarks.Load;
using ScottPlot;

namespace Hub.Benchmarks.Report;

/// <summary>The run's PNG charts: records/s per throughput scenario, and latency percentiles against offered load.</summary>
public static class Charts
{
    public static void Throughput(IReadOnlyList<Figure> figures, string path)
    {
        var bars = figures.Where(f => !f.Skipped && f.Unit == "records/s").ToArray();
        var plot = new Plot();
        // Bars count up from the bottom: place them top down, in run order.
        var positions = Enumerable.Range(0, bars.Length).Select(i => (double)(bars.Length - 1 - i)).ToArray();
        var series = plot.Add.Bars(positions, bars.Select(f => f.Value / 1e6).ToArray());
        series.Horizontal = true;
        plot.Axes.Left.SetTicks(positions, bars.Select(f => f.Scenario).ToArray());
        plot.Axes.Bottom.Label.Text = "million records/s";
        plot.Title("Hub throughput per scenario");
        plot.Axes.Margins(left: 0, right: 0.05);
        plot.SavePng(path, 1100, 120 + 28 * Math.Max(bars.Length, 1));
    }

    public static void Latency(IReadOnlyList<(string Label, LatencyResult Result)> points, string path)
    {
        var plot = new Plot();
        foreach (var label in points.Select(p => p.Label).Distinct())
        {
            var runs = points.Where(p => p.Label == label).Select(p => p.Result).OrderBy(r => r.OfferedPerSecond).ToArray();
            foreach (var percentile in new[] { 50, 99, 99.9 })
            {
                var line = plot.Add.Scatter(runs.Select(r => r.OfferedPerSecond / 1e3).ToArray(), runs.Select(r => r.Millis(percentile)).ToArray());
                line.LegendText = $"{label} p{percentile}";
            }
        }
        plot.Axes.Bottom.Label.Text = "offered load, thousand records/s";
        plot.Axes.Left.Label.Text = "end-to-end latency, ms";
        plot.Title("Hub end-to-end latency against offered load");
        plot.ShowLegend(Edge.Right); // beside the plot: inside, it hid the low-rate points
        plot.SavePng(path, 1000, 600);
    }
}
