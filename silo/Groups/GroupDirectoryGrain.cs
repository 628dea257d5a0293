using Hub.Silo.InterBroker;
using Hub.Silo.Configuration;
using Hub.Grains;
using Hub.Groups;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Hub.Silo.Groups;

/// <summary>Which consumer groups exist, durably (key 0).</summary>
[GenerateSerializer]
internal sealed class GroupDirectoryState
{
    [Id(0)]
    public HashSet<string> Groups { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The list of groups. Reentrant: a group it calls (to describe or expire it) may be activating and register
/// itself with the directory at the same moment. Changes are synchronous; writes go through one writer.
/// </summary>
[Reentrant]
internal sealed partial class GroupDirectoryGrain : Grain, IInterBrokerGroupDirectoryGrain
{
    private readonly IPersistentState<GroupDirectoryState> _state;
    private readonly ILogger<GroupDirectoryGrain> _logger;
    private readonly CoalescingStateWriter _writer;

    public GroupDirectoryGrain(
        [PersistentState("groups", HubStorage.Name)] IPersistentState<GroupDirectoryState> state,
        ILogger<GroupDirectoryGrain> logger)
    {
        _state = state;
        _logger = logger;
        _writer = new CoalescingStateWriter(() => _state.WriteStateAsync());
    }

    public async Task Register(string groupId)
    {
        if (_state.State.Groups.Add(groupId)) await _writer.WriteAsync();
    }

    public async Task Unregister(string groupId)
    {
        if (_state.State.Groups.Remove(groupId)) await _writer.WriteAsync();
    }

    public async Task<GroupListing[]> ListGroups()
    {
        var ids = _state.State.Groups.Order(StringComparer.Ordinal).ToList();
        var descriptions = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IConsumerGroupGrain>(id).Describe()));
        // A group that expired or was deleted since it was listed describes itself as Dead.
        return descriptions.Where(d => d.State != GroupState.Dead)
            .Select(d => new GroupListing(d.GroupId, d.ProtocolType, d.State) { GroupType = d.GroupType }).ToArray();
    }

    public async Task ExpireOffsets()
    {
        foreach (var id in _state.State.Groups.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IInterBrokerGroupGrain>(id).ExpireOffsets();
            }
            catch (Exception e)
            {
                LogExpiryFailed(e, id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiring offsets of group {Group} failed")]
    private partial void LogExpiryFailed(Exception exception, string group);
}
