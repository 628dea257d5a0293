using System.Globalization;
using System.Text;

namespace Hub.Benchmarks.Report;

/// <summary>The run's figures as one Markdown table: Hub's figure, what it is compared with, the ratio, the load.</summary>
public static class MarkdownTable
{
    public static string Render(IEnumerable<Figure> figures)
    {
        var table = new StringBuilder();
        table.AppendLine("| Scenario | Hub | Compared with | Their figure | Hub ÷ theirs | Details | Load avg |");
        table.AppendLine("|---|---:|---|---:|---:|---|---:|");
        foreach (var figure in figures)
        {
            var hub = figure.Skipped ? "—" : $"{Number(figure.Value)} {figure.Unit}";
            var load = figure.LoadAverage.ToString("F1", CultureInfo.InvariantCulture);
            if (figure.Comparisons.Count == 0)
            {
                table.AppendLine($"| {figure.Scenario} | {hub} | | | | {figure.Detail} | {load} |");
                continue;
            }
            // One row per comparison, so every ratio sits beside its own peer figure.
            foreach (var comparison in figure.Comparisons)
                table.AppendLine($"| {figure.Scenario} | {hub} | {comparison.Against} | {Number(comparison.Value)} {comparison.Unit} | " +
                                 $"{Ratio(comparison.Ratio)} | {figure.Detail} | {load} |");
        }
        return table.ToString();
    }

    /// <summary>Three significant figures, with thousands separators: 1,234,567 → 1,230,000; 0.04567 → 0.0457.</summary>
    public static string Number(double value)
    {
        if (value == 0 || double.IsNaN(value)) return value.ToString(CultureInfo.InvariantCulture);
        var digits = (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1;
        var rounded = Math.Round(value, Math.Max(0, 3 - digits));
        if (digits >= 3) rounded = Math.Round(value / Math.Pow(10, digits - 3)) * Math.Pow(10, digits - 3);
        return rounded.ToString(digits >= 3 ? "N0" : $"N{3 - digits}", CultureInfo.InvariantCulture);
    }

    private static string Ratio(double ratio) =>
        ratio >= 1 ? $"{ratio.ToString("F1", CultureInfo.InvariantCulture)}x" : $"{(ratio * 100).ToString("F0", CultureInfo.InvariantCulture)}%";
}
