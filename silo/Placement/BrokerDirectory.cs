using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Hub.Silo.Placement;

/// <summary>Maps broker ids to the live silos that carry them (silo metadata key <see cref="BrokerIdKey"/>).</summary>
internal sealed class BrokerDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public const string BrokerIdKey = "hub.broker-id";

    /// <summary>Live brokers, ordered by id.</summary>
    public IReadOnlyList<int> LiveBrokers() =>
        ActiveSilos().Select(s => s.BrokerId).Distinct().Order().ToArray();

    /// <summary>
    /// Whether every active silo's broker id is known. A silo's metadata reaches this silo's cache a little after
    /// the silo turns active; until then its broker looks absent, and deciding on that view would move
    /// leadership off a live broker.
    /// </summary>
    public bool IsSettled() =>
        membership.CurrentSnapshot.Members.Values.All(m => m.Status != SiloStatus.Active || BrokerIdOf(m.SiloAddress) is not null);

    public SiloAddress? FindSilo(int brokerId, IEnumerable<SiloAddress> candidates) =>
        candidates.FirstOrDefault(silo => BrokerIdOf(silo) == brokerId);

    private IEnumerable<(SiloAddress Silo, int BrokerId)> ActiveSilos()
    {
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && BrokerIdOf(member.SiloAddress) is { } id)
                yield return (member.SiloAddress, id);
        }
    }

    private int? BrokerIdOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(BrokerIdKey, out var value) && int.TryParse(value, out var id)
            ? id
            : null;
}
