namespace Hub.Quotas;

/// <summary>The quota values (by Kafka's key: <see cref="ClientQuotaKeys"/>) set for one entity.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuota(
    [property: Id(0)] ClientQuotaEntity Entity,
    [property: Id(1)] IReadOnlyDictionary<string, double> Values);
