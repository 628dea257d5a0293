namespace Hub.Quotas;

/// <summary>Sets (or, with <see cref="Remove"/>, removes) one quota value of an entity.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaOp([property: Id(0)] string Key, [property: Id(1)] double Value, [property: Id(2)] bool Remove = false);

/// <summary>Changes to one entity's quotas, applied together (Kafka's AlterClientQuotas entry).</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaAlteration([property: Id(0)] ClientQuotaEntity Entity, [property: Id(1)] IReadOnlyList<ClientQuotaOp> Ops);
