using Hub.Grains;
using Hub.Silo.Configuration;
using Hub.Silo.Grains;

namespace Hub.Silo.Producers;

/// <summary>
/// Allocates producer ids from blocks reserved durably, so most allocations write nothing: the end of the
/// reserved block is persisted before any id from it is handed out, and a restart continues after that end
/// (skipping the unused rest of the block, which only wastes ids, never repeats one).
/// </summary>
internal sealed class ProducerIdGrain(
    [PersistentState("producer-ids", HubStorage.Name)] IPersistentState<ProducerIdState> state) : Grain, IProducerIdGrain
{
    /// <summary>Ids reserved per durable write.</summary>
    private const long BlockSize = 1000;

    private long _next;
    private long _blockEnd;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _next = _blockEnd = state.State.ReservedUntil;
        return Task.CompletedTask;
    }

    public async Task<long> Allocate()
    {
        if (_next == _blockEnd)
        {
            state.State.ReservedUntil = _blockEnd + BlockSize;
            await state.WriteStateAsync();
            _blockEnd = state.State.ReservedUntil;
        }
        return _next++;
    }
}
