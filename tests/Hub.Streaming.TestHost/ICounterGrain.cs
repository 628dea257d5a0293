using Orleans.Concurrency;

namespace Hub.Streaming.TestHost;

/// <summary>Sums the numbers (records whose value is a decimal number) of one key of <see cref="CounterApp.Topic"/>.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<Counter> Get();

    /// <summary>Deactivates the grain once this call returns (to test that it resumes where it was).</summary>
    Task Deactivate();
}

[GenerateSerializer]
public sealed class Counter
{
    [Id(0)] public long Sum { get; set; }

    /// <summary>Records applied: more than were produced means one was applied twice.</summary>
    [Id(1)] public long Count { get; set; }
}
