namespace Hub.Benchmarks.Report;

/// <summary>
/// One measured Hub figure, the machine's one-minute load average when it was taken, and what it is compared
/// with. A scenario that could not run is a figure with no value and its reason in <see cref="Detail"/>.
/// </summary>
public sealed record Figure(string Scenario, double Value, string Unit, string Detail, double LoadAverage, IReadOnlyList<Comparison> Comparisons)
{
    public bool Skipped => double.IsNaN(Value);

    public static Figure Skip(string scenario, string reason, double loadAverage) =>
        new(scenario, double.NaN, "", $"skipped: {reason}", loadAverage, []);
}

/// <summary>A peer's or a physical limit's figure for the same workload; <see cref="Ratio"/> is Hub's value divided by it.</summary>
public sealed record Comparison(string Against, double Value, string Unit, double Ratio);
