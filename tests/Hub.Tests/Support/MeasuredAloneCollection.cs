namespace Hub.Tests.Support;

/// <summary>
/// Tests that measure the process (its allocations, request counts or rates): xunit runs them alone, after every
/// parallel collection, so other tests' work neither adds to their counts nor delays their timers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAloneCollection
{
    public const string Name = "measured alone";
}
