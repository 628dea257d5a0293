namespace Hub.Quotas;

/// <summary>
/// Whom a client quota applies to, as Kafka names it: a user, a client id, or a user's client id. Each part is a
/// name, <see cref="Default"/> (Kafka's default entity, null on the wire: every user or client id without a quota of its
/// own), or null when the entity has no such part.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaEntity([property: Id(0)] string? User, [property: Id(1)] string? ClientId)
{
    /// <summary>The default entity's name, as Kafka's tools print it.</summary>
    public const string Default = "<default>";

    public override string ToString() =>
        string.Join(", ", new[] { User is null ? null : $"user={User}", ClientId is null ? null : $"client-id={ClientId}" }.OfType<string>());
}
