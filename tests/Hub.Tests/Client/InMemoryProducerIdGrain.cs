using Hub.Grains;

namespace Hub.Tests.Client;

/// <summary>Hands out producer ids 1000, 1001, ... as the silo's allocation would, never one twice.</summary>
internal sealed class InMemoryProducerIdGrain : IProducerIdGrain
{
    private long _next = 1000;

    public int Allocations => (int)(Interlocked.Read(ref _next) - 1000);

    public Task<long> Allocate() => Task.FromResult(Interlocked.Increment(ref _next) - 1);
}
