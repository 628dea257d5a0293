using Orleans.Runtime;
using Orleans.Storage;

namespace Hub.Tests.Producers;

/// <summary>A grain storage that fails writes on demand: before they reach the inner storage, or after they landed there.</summary>
internal sealed class FaultyGrainStorage(IGrainStorage inner) : IGrainStorage
{
    public enum Fault
    {
        None,

        /// <summary>The write throws and stores nothing.</summary>
        Lost,

        /// <summary>The write is stored, then throws (a timeout after the store applied it); the writer's ETag stays the old one.</summary>
        LandedButFailed,
    }

    /// <summary>What the next write does; reset to <see cref="Fault.None"/> once it happened.</summary>
    public Fault NextWrite { get; set; }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var fault = NextWrite;
        NextWrite = Fault.None;
        switch (fault)
        {
            case Fault.Lost:
                throw new IOException("the storage is unavailable");
            case Fault.LandedButFailed:
                var etag = grainState.ETag;
                await inner.WriteStateAsync(stateName, grainId, grainState);
                grainState.ETag = etag;
                throw new TimeoutException("the storage did not answer in time");
            default:
                await inner.WriteStateAsync(stateName, grainId, grainState);
                break;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
