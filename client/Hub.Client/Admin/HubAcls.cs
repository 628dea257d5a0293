using Hub.Errors;
using Hub.Security;

namespace Hub.Client;

/// <summary>
/// The cluster's ACLs, as Kafka's kafka-acls tool manages them. Silos check Kafka requests against them when
/// Hub:Authorization:Enabled is set; a change reaches every silo within about a second.
/// </summary>
public sealed class HubAcls
{
    private readonly IGrainFactory _grains;

    internal HubAcls(IGrainFactory grains) => _grains = grains;

    private IAclGrain Grain => _grains.GetGrain<IAclGrain>(0);

    /// <summary>Adds the ACLs (one already there is fine); an invalid one throws INVALID_REQUEST saying why, the valid ones are added.</summary>
    public async Task CreateAsync(IReadOnlyList<AclBinding> acls, CancellationToken ct = default)
    {
        var results = await Grain.Create(acls).WaitAsync(ct).ConfigureAwait(false);
        if (results.FirstOrDefault(r => r.Error != ErrorCode.None) is { } refused)
            throw new HubException(refused.Error, refused.Message ?? "refused");
    }

    /// <summary>The ACLs the filter matches (every ACL by default).</summary>
    public Task<IReadOnlyList<AclBinding>> ListAsync(AclBindingFilter? filter = null, CancellationToken ct = default) =>
        Grain.Describe(filter ?? AclBindingFilter.All).WaitAsync(ct);

    /// <summary>Deletes the ACLs the filter matches and returns them.</summary>
    public async Task<IReadOnlyList<AclBinding>> DeleteAsync(AclBindingFilter filter, CancellationToken ct = default) =>
        (await Grain.Delete([filter]).WaitAsync(ct).ConfigureAwait(false)).Single().Acls;
}
