using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Configuration;
using Hub.Silo.Grains;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Producers;

/// <summary>
/// The cluster's one producer-id allocator (key 0): a shell around <see cref="ProducerIdBlocks"/>, whose state is
/// read when it activates. A reservation that can't be stored (a storage failure, or an ETag conflict with another
/// activation) ends this activation, so nothing decides from a reservation that is not durable; the caller gets
/// COORDINATOR_LOAD_IN_PROGRESS, which Kafka's producers retry, as Kafka answers while it can't get an id block.
/// </summary>
internal sealed partial class ProducerIdGrain(
    [PersistentState("producer-ids", HubStorage.Name)] IPersistentState<ProducerIdState> state,
    ILogger<ProducerIdGrain> logger) : Grain, IProducerIdGrain
{
    private ProducerIdBlocks _blocks = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _blocks = new ProducerIdBlocks(state);
        return Task.CompletedTask;
    }

    public async Task<long> Allocate()
    {
        try
        {
            return await _blocks.Allocate();
        }
        catch (Exception e)
        {
            LogReservationFailed(e);
            DeactivateOnIdle();
            throw new HubException(ErrorCode.CoordinatorLoadInProgress, $"producer ids could not be reserved: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing a reservation of producer ids failed; ending this activation so the next one reads the store afresh")]
    private partial void LogReservationFailed(Exception exception);
}
