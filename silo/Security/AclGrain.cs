using Hub.Errors;
using Hub.Security;
using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Security;

/// <summary>
/// The cluster's ACLs (key 0): a shell around <see cref="AclRules"/>. A change is stored before anyone sees it; a write
/// that fails (storage down, or an ETag conflict with another activation) ends this activation and changes nothing.
/// </summary>
internal sealed partial class AclGrain(
    [PersistentState("acls", HubStorage.Name)] IPersistentState<AclState> state,
    ILogger<AclGrain> logger) : Grain, IAclGrain, IInterBrokerAclGrain
{
    public async Task<IReadOnlyList<AclResult>> Create(IReadOnlyList<AclBinding> bindings)
    {
        var results = new List<AclResult>();
        var added = new List<AclBinding>();
        foreach (var binding in bindings)
        {
            if (AclRules.Invalid(binding) is { } problem)
            {
                results.Add(new AclResult(ErrorCode.InvalidRequest, problem, []));
                continue;
            }
            if (!state.State.Acls.Contains(binding) && !added.Contains(binding)) added.Add(binding);
            results.Add(new AclResult(ErrorCode.None, null, [binding]));
        }
        if (added.Count > 0) await StoreAsync([.. state.State.Acls, .. added]);
        return results;
    }

    public Task<IReadOnlyList<AclBinding>> Describe(AclBindingFilter filter) =>
        Task.FromResult<IReadOnlyList<AclBinding>>(state.State.Acls.Where(a => AclRules.Matches(filter, a)).ToList());

    public async Task<IReadOnlyList<AclResult>> Delete(IReadOnlyList<AclBindingFilter> filters)
    {
        var results = filters.Select(f => new AclResult(ErrorCode.None, null, state.State.Acls.Where(a => AclRules.Matches(f, a)).ToList())).ToList();
        var deleted = results.SelectMany(r => r.Acls).ToHashSet();
        if (deleted.Count > 0) await StoreAsync(state.State.Acls.Where(a => !deleted.Contains(a)).ToList());
        return results;
    }

    /// <summary>
    /// The ACLs as last stored: <see cref="Snapshot"/> interleaves with a change being written and must not hand out
    /// what may never be stored.
    /// </summary>
    private (long Version, IReadOnlyList<AclBinding> Acls) _stored;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = (state.State.Version, state.State.Acls.ToList());
        return Task.CompletedTask;
    }

    public Task<(long Version, IReadOnlyList<AclBinding>? Acls)> Snapshot(long knownVersion) =>
        Task.FromResult<(long, IReadOnlyList<AclBinding>?)>(knownVersion == _stored.Version ? (knownVersion, null) : _stored);

    private async Task StoreAsync(List<AclBinding> acls)
    {
        var (before, version) = (state.State.Acls, state.State.Version);
        state.State.Acls = acls;
        state.State.Version = version + 1;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            (state.State.Acls, state.State.Version) = (before, version);
            LogWriteFailed(e);
            DeactivateOnIdle();
            throw new HubException(ErrorCode.CoordinatorNotAvailable, $"the ACLs could not be stored: {e.Message}");
        }
        _stored = (state.State.Version, acls);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the ACLs failed; ending this activation so the next one reads the store afresh")]
    private partial void LogWriteFailed(Exception exception);
}
