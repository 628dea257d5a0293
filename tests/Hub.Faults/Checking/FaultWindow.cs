namespace Hub.Faults.Checking;

/// <summary>One fault from its start to its end (the run's end when it never ended), with the brokers it took down.</summary>
internal sealed record FaultWindow(string Kind, string Detail, TimeSpan Start, TimeSpan End, IReadOnlyList<int> BrokersDown)
{
    /// <summary>
    /// A fault's effects (an election, leadership moving back, a restarted broker catching up) show for a while
    /// after it heals: what happens this long after its end is still counted against its kind.
    /// </summary>
    public static readonly TimeSpan Aftermath = TimeSpan.FromSeconds(10);

    public TimeSpan EffectsEnd => End + Aftermath;

    public bool Affects(TimeSpan at) => Start <= at && at <= EffectsEnd;
}
