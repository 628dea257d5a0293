using Hub.Errors;
using Hub.Silo.Configuration;
using Hub.Silo.Groups;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;
using Hub.Transactions;
using Orleans.Concurrency;

namespace Hub.Silo.Transactions;

[GenerateSerializer]
internal sealed class TransactionDirectoryState
{
    [Id(0)] public HashSet<string> Open { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every id ever initialized: written once per id, not per transaction.</summary>
    [Id(1)] public HashSet<string> Known { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The transactional ids with a transaction open, and every id ever initialized. Without the first, a transaction whose
/// producer and coordinator silo both died would stay open for ever and hold every read_committed consumer of its
/// partitions at its first offset; the second is what ListTransactions lists (each id's state is its coordinator's).
/// Reentrant: the coordinators it sweeps or lists call it back; writes go through one writer.
/// </summary>
[Reentrant]
internal sealed partial class TransactionDirectoryGrain : Grain, IInterBrokerTransactionDirectoryGrain
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

    public async Task Register(string transactionalId)
    {
        if (_state.State.Known.Add(transactionalId)) await _writer.WriteAsync();
    }

    public async Task<TransactionDescription[]> ListTransactions()
    {
        // Ids open before the directory knew every id (stored by an earlier version) are listed too.
        var ids = _state.State.Known.Union(_state.State.Open).Order(StringComparer.Ordinal).ToList();
        var descriptions = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                return await DescribeTransaction(id);
            }
            catch (HubException e) when (e.Code == ErrorCode.TransactionalIdNotFound)
            {
                return null; // registered, but its first InitProducerId was never stored
            }
        }));
        return descriptions.OfType<TransactionDescription>().ToArray();
    }

    public Task<TransactionDescription> DescribeTransaction(string transactionalId) =>
        GrainFactory.GetGrain<IInterBrokerTransactionCoordinatorGrain>(transactionalId).Describe();

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
                await GrainFactory.GetGrain<IInterBrokerTransactionCoordinatorGrain>(id).CheckTimeout();
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
