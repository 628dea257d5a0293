using Orleans.Storage;

namespace Hub.Tests.Controller;

/// <summary>
/// A real grain storage with the faults a metadata store shows: writes held until released (a slow store), writes
/// that fail without landing (a store that is down), and writes that land but whose answer is lost (a timeout
/// after the store applied it). Reads pass through.
/// </summary>
internal sealed class ScriptedGrainStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>While set, writes wait for this task before reaching the store.</summary>
    public Task? HoldWrites { get; set; }

    /// <summary>While true, reads and writes fail without reaching the store.</summary>
    public bool Down { get; set; }

    /// <summary>How many of the next writes land in the store and then fail as if their answer was lost.</summary>
    public int LoseAnswers { get; set; }

    /// <summary>Writes that reached this storage, failed or not.</summary>
    public int WriteAttempts { get; private set; }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Down ? throw Unavailable() : inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        WriteAttempts++;
        if (HoldWrites is { } hold) await hold;
        if (Down) throw Unavailable();
        var (etag, existed) = (grainState.ETag, grainState.RecordExists);
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (LoseAnswers <= 0) return;
        LoseAnswers--;
        // The store applied the write, but the caller never hears so: its state keeps the old ETag.
        (grainState.ETag, grainState.RecordExists) = (etag, existed);
        throw new TimeoutException("the store did not answer in time");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Down ? throw Unavailable() : inner.ClearStateAsync(stateName, grainId, grainState);

    private static IOException Unavailable() => new("the store is unreachable");
}
