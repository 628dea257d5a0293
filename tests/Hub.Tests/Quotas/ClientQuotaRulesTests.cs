using Hub.Quotas;
using Hub.Silo.Quotas;

namespace Hub.Tests.Quotas;

/// <summary>Which client quota applies, Kafka's way, and which alterations are refused.</summary>
public sealed class ClientQuotaRulesTests
{
    private const string D = ClientQuotaEntity.Default;

    private static IReadOnlyDictionary<ClientQuotaEntity, ClientQuota> Quotas(params (string? User, string? ClientId, double Rate)[] quotas) =>
        quotas.ToDictionary(q => new ClientQuotaEntity(q.User, q.ClientId),
            q => new ClientQuota(new ClientQuotaEntity(q.User, q.ClientId), new Dictionary<string, double> { [ClientQuotaKeys.ProducerByteRate] = q.Rate }));

    [Fact]
    public void The_most_specific_quota_applies_in_Kafkas_order()
    {
        var quotas = Quotas(("alice", "app", 1), ("alice", D, 2), ("alice", null, 3), (D, "app", 4), (D, D, 5), (D, null, 6), (null, "app", 7), (null, D, 8));
        string Key(double rate) => $"{rate}";
        var levels = new List<string>();
        var remaining = quotas.ToDictionary();
        while (remaining.Count > 0)
        {
            var (limit, _) = ClientQuotaRules.Applying(remaining, ClientQuotaKeys.ProducerByteRate, "alice", "app")!.Value;
            levels.Add(Key(limit));
            remaining.Remove(remaining.Single(q => q.Value.Values[ClientQuotaKeys.ProducerByteRate] == limit).Key);
        }
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], levels);
    }

    [Fact]
    public void Each_client_id_under_a_default_quota_is_measured_on_its_own()
    {
        var quotas = Quotas((null, D, 100));
        Assert.Equal((100.0, new ClientQuotaEntity(null, "app")), ClientQuotaRules.Applying(quotas, ClientQuotaKeys.ProducerByteRate, "ANONYMOUS", "app"));
        Assert.Null(ClientQuotaRules.Applying(quotas, ClientQuotaKeys.ConsumerByteRate, "ANONYMOUS", "app"));
    }

    [Theory]
    [InlineData(null, null, "producer_byte_rate", 1.0, "neither")]
    [InlineData(null, "app", "connection_creation_rate", 1.0, "unknown quota key")]
    [InlineData(null, "app", "producer_byte_rate", 0.0, "must be positive")]
    public void Invalid_alterations_are_refused(string? user, string? clientId, string key, double value, string why)
    {
        var problem = ClientQuotaRules.Problem(new ClientQuotaAlteration(new ClientQuotaEntity(user, clientId), [new ClientQuotaOp(key, value)]));
        Assert.Contains(why, problem);
    }

    [Fact]
    public void Alterations_set_and_remove_values_and_an_entity_without_values_is_gone()
    {
        var entity = new ClientQuotaEntity(null, "app");
        var set = ClientQuotaRules.Apply([], [new ClientQuotaAlteration(entity, [new ClientQuotaOp(ClientQuotaKeys.ProducerByteRate, 10), new ClientQuotaOp(ClientQuotaKeys.ConsumerByteRate, 20)])]);
        Assert.Equal(20, Assert.Single(set).Values[ClientQuotaKeys.ConsumerByteRate]);

        var removed = ClientQuotaRules.Apply(set, [new ClientQuotaAlteration(entity, [new ClientQuotaOp(ClientQuotaKeys.ProducerByteRate, 0, Remove: true)])]);
        Assert.Equal([ClientQuotaKeys.ConsumerByteRate], Assert.Single(removed).Values.Keys);
        Assert.Empty(ClientQuotaRules.Apply(removed, [new ClientQuotaAlteration(entity, [new ClientQuotaOp(ClientQuotaKeys.ConsumerByteRate, 0, Remove: true)])]));
    }

    [Fact]
    public void A_describe_filter_matches_exact_default_and_any_specified_names_and_strictly_or_not()
    {
        var userApp = new ClientQuotaEntity("alice", "app");
        var app = new ClientQuotaEntity(null, "app");
        var anyClient = new ClientQuotaEntity(null, D);
        QuotaFilterComponent Client(QuotaFilterMatch match, string? name = null) => new(ForUser: false, match, name);

        Assert.True(ClientQuotaRules.Matches(userApp, [Client(QuotaFilterMatch.Exact, "app")], strict: false));
        Assert.False(ClientQuotaRules.Matches(userApp, [Client(QuotaFilterMatch.Exact, "app")], strict: true));
        Assert.True(ClientQuotaRules.Matches(app, [Client(QuotaFilterMatch.Exact, "app")], strict: true));
        Assert.False(ClientQuotaRules.Matches(anyClient, [Client(QuotaFilterMatch.AnySpecified)], strict: false));
        Assert.True(ClientQuotaRules.Matches(anyClient, [Client(QuotaFilterMatch.Default)], strict: true));
        Assert.True(ClientQuotaRules.Matches(userApp, [], strict: false));
    }
}
