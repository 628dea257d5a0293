using Hub.Quotas;

namespace Hub.Silo.Quotas;

/// <summary>
/// Kafka's rules for client quotas: which alterations are valid, what they make of the stored quotas, and which
/// quota applies to a request of a user and client id (Kafka's eight levels of precedence, most specific first).
/// </summary>
internal static class ClientQuotaRules
{
    /// <summary>Why the alteration is refused (Kafka answers INVALID_REQUEST), or null when it is valid.</summary>
    public static string? Problem(ClientQuotaAlteration alteration)
    {
        if (alteration.Entity is { User: null, ClientId: null }) return "the entity names neither a user nor a client id";
        if (alteration.Entity.User is "" || alteration.Entity.ClientId is "") return "an entity name is empty";
        foreach (var op in alteration.Ops)
        {
            if (!ClientQuotaKeys.All.Contains(op.Key)) return $"unknown quota key '{op.Key}' (known: {string.Join(", ", ClientQuotaKeys.All)})";
            if (!op.Remove && !(op.Value > 0)) return $"quota {op.Key} must be positive, got {op.Value}";
        }
        if (alteration.Ops.GroupBy(o => o.Key).Any(g => g.Count() > 1)) return "a quota key is named twice";
        return null;
    }

    /// <summary>
    /// Whether <paramref name="entity"/> passes a DescribeClientQuotas filter: for every component, the entity has that
    /// part and it matches (the exact name, the default, or any name but the default); with <paramref name="strict"/>,
    /// the entity has no part the filter doesn't name.
    /// </summary>
    public static bool Matches(ClientQuotaEntity entity, IEnumerable<QuotaFilterComponent> components, bool strict)
    {
        var named = 0;
        foreach (var component in components)
        {
            var part = component.ForUser ? entity.User : entity.ClientId;
            var matches = component.Match switch
            {
                QuotaFilterMatch.Exact => part is not null && part == component.Name,
                QuotaFilterMatch.Default => part == ClientQuotaEntity.Default,
                _ => part is not null && part != ClientQuotaEntity.Default,
            };
            if (!matches) return false;
            named++;
        }
        var parts = (entity.User is null ? 0 : 1) + (entity.ClientId is null ? 0 : 1);
        return !strict || parts == named;
    }

    /// <summary>The quotas after the (valid) alterations: values set or removed; an entity left without values is gone.</summary>
    public static IReadOnlyList<ClientQuota> Apply(IReadOnlyList<ClientQuota> quotas, IEnumerable<ClientQuotaAlteration> alterations)
    {
        var byEntity = quotas.ToDictionary(q => q.Entity, q => new Dictionary<string, double>(q.Values, StringComparer.Ordinal));
        foreach (var alteration in alterations)
        {
            var values = byEntity.TryGetValue(alteration.Entity, out var existing) ? existing : byEntity[alteration.Entity] = new(StringComparer.Ordinal);
            foreach (var op in alteration.Ops)
            {
                if (op.Remove) values.Remove(op.Key);
                else values[op.Key] = op.Value;
            }
        }
        return byEntity.Where(e => e.Value.Count > 0).Select(e => new ClientQuota(e.Key, e.Value)).ToArray();
    }

    /// <summary>
    /// The <paramref name="key"/> quota that applies to <paramref name="user"/>'s client <paramref name="clientId"/>, and the
    /// entity its rate is measured for: the matched entity with each default part replaced by the request's own
    /// name, so that every client id (or user) under a default quota has a rate of its own, as in Kafka.
    /// </summary>
    public static (double Limit, ClientQuotaEntity MeasuredFor)? Applying(IReadOnlyDictionary<ClientQuotaEntity, ClientQuota> quotas, string key, string user, string clientId)
    {
        if (quotas.Count == 0) return null;
        const string D = ClientQuotaEntity.Default;
        ReadOnlySpan<(string? User, string? ClientId)> precedence =
        [
            (user, clientId), (user, D), (user, null),
            (D, clientId), (D, D), (D, null),
            (null, clientId), (null, D),
        ];
        foreach (var (u, c) in precedence)
        {
            if (quotas.GetValueOrDefault(new ClientQuotaEntity(u, c)) is not { } match || !match.Values.TryGetValue(key, out var limit)) continue;
            return (limit, new ClientQuotaEntity(u is null ? null : user, c is null ? null : clientId));
        }
        return null;
    }
}

/// <summary>How a DescribeClientQuotas filter component matches an entity's part (Kafka's match_type).</summary>
internal enum QuotaFilterMatch : sbyte
{
    Exact = 0,
    Default = 1,
    AnySpecified = 2,
}

/// <summary>One component of a DescribeClientQuotas filter: the user or client-id part, and how it must match.</summary>
internal readonly record struct QuotaFilterComponent(bool ForUser, QuotaFilterMatch Match, string? Name);
