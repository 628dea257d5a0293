using Hub.Silo.Kafka.Apis.Admin;

namespace Hub.Silo.Kafka.Apis;

/// <summary>The APIs the listener answers, by key; ApiVersions is built here because it advertises all of them.</summary>
internal sealed class KafkaApis
{
    private readonly Dictionary<short, IKafkaApi> _byKey = [];

    public KafkaApis(IEnumerable<IKafkaApi> apis)
    {
        foreach (var api in apis.Append(new ApiVersionsApi(this))) _byKey.Add((short)api.Key, api);
        All = _byKey.Values.OrderBy(a => a.Key).ToArray();
    }

    /// <summary>Every API, ordered by key: what ApiVersions advertises.</summary>
    public IReadOnlyList<IKafkaApi> All { get; }

    public IKafkaApi? Find(short key) => _byKey.GetValueOrDefault(key);
}
