using Orleans.Runtime;
using Orleans.Storage;

namespace Hub.Tests.Producers;

/// <summary>
/// A grain's persistent state over a real <see cref="IGrainStorage"/>, as Orleans hands one to a grain: read when
/// made (an activation), written with the ETag it last saw.
/// </summary>
internal sealed class StoredState<TState> : IPersistentState<TState> where TState : new()
{
    private readonly IGrainStorage _storage;
    private readonly string _name;
    private readonly GrainId _grain;
    private readonly GrainState<TState> _state = new(new TState());

    private StoredState(IGrainStorage storage, string name, GrainId grain)
    {
        _storage = storage;
        _name = name;
        _grain = grain;
    }

    public static async Task<StoredState<TState>> ActivateAsync(IGrainStorage storage, string name, GrainId grain)
    {
        var state = new StoredState<TState>(storage, name, grain);
        await state.ReadStateAsync();
        return state;
    }

    public TState State
    {
        get => _state.State;
        set => _state.State = value;
    }

    public string? Etag => _state.ETag;

    public bool RecordExists => _state.RecordExists;

    public Task ClearStateAsync() => _storage.ClearStateAsync(_name, _grain, _state);

    public Task WriteStateAsync() => _storage.WriteStateAsync(_name, _grain, _state);

    public Task ReadStateAsync() => _storage.ReadStateAsync(_name, _grain, _state);
}
