using Hub.Silo.Configuration;
using Hub.Silo.Groups;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Hub.Silo.Transactions;

[GenerateSerializer]
internal sealed class TransactionDirectoryState
{
    [Id(0)] public HashSet<string> Open { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The transactional ids with a transaction open. Without it, a transaction whose producer and coordinator silo both
/// died would stay open for ever and hold every read_committed consumer of its partitions at its first offset.
/// Reentrant: the coordinators it sweeps call it back; writes go through one writer.
/// </summary>
[Reentrant]
internal sealed partial class TransactionDirectoryGrain : Grain, ITransactionDirectoryGrain
{
    private readonly IPersistentState<TransactionDirectoryState> _state;
    private readonly ILogger<TransactionDirectoryGrain> _logger;
    private readonly CoalescingStateWriter _writer;

    public TransactionDirectoryGrain(
        [PersistentState("transactions", HubStorage.Name)] IPersistentState<TransactionDirectoryState> state,
        ILogger<TransactionDirectoryGrain> logger)
    {
        _state = state;
        _logger = logger;
        _writer = new CoalescingStateWriter(() => _state.WriteStateAsync());
    }

    public async Task MarkOpen(string transactionalId)
    {
        if (_state.State.Open.Add(transactionalId)) await _writer.WriteAsync();
    }

    public async Task MarkClosed(string transactionalId)
    {
        if (_state.State.Open.Remove(transactionalId)) await _writer.WriteAsync();
    }

    public async Task Sweep()
    {
        await Task.WhenAll(_state.State.Open.ToList().Select(async id =>
        {
            try
            {
                await GrainFactory.GetGrain<ITransactionCoordinatorGrain>(id).CheckTimeout();
            }
            catch (Exception e)
            {
                LogCheckFailed(e, id);
            }
        }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the transaction of {TransactionalId} failed; trying again at the next sweep")]
    private partial void LogCheckFailed(Exception exception, string transactionalId);
}
