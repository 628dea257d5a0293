using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Listeners;
using Hub.Silo.Placement;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Hub.Silo.Kafka.Metadata;

/// <summary>
/// The brokers Kafka clients are told about, per listener as Kafka does (a client on listener SECURE learns every
/// broker's SECURE address): every active silo that publishes its listeners in its silo metadata
/// (<see cref="EndpointKey"/>), and always this silo (its listeners' actual ports), so Metadata never lists no
/// broker while membership is still settling. A broker without the listener is left out.
/// </summary>
internal sealed class KafkaBrokers(
    IOptions<HubSiloOptions> options,
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails localSilo)
{
    public const string EndpointKey = "hub.kafka-endpoint";

    private readonly ConcurrentDictionary<string, BrokerEndpoint> _local = new(
        KafkaListenerSpec.From(options.Value).Select(s => KeyValuePair.Create(s.Name, Advertised(options.Value.BrokerId, s, s.Port))),
        StringComparer.OrdinalIgnoreCase);

    public int LocalBrokerId => options.Value.BrokerId;

    /// <summary>This silo as clients of the listener reach it; null when it has no such listener.</summary>
    public BrokerEndpoint? Local(string listener) => _local.TryGetValue(listener, out var endpoint) ? endpoint : null;

    /// <summary>Called by the listeners once bound, so an ephemeral port (0) is advertised as bound.</summary>
    internal void SetListenPort(string listener, int port)
    {
        var spec = KafkaListenerSpec.From(options.Value).First(s => string.Equals(s.Name, listener, StringComparison.OrdinalIgnoreCase));
        _local[listener] = Advertised(LocalBrokerId, spec, port);
    }

    /// <summary>Live brokers by id that have the listener, this one included.</summary>
    public IReadOnlyList<BrokerEndpoint> Live(string listener)
    {
        var brokers = new SortedDictionary<int, BrokerEndpoint>();
        if (Local(listener) is { } local) brokers[LocalBrokerId] = local;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active || member.SiloAddress.Equals(localSilo.SiloAddress)) continue;
            var values = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
            if (values.TryGetValue(BrokerDirectory.BrokerIdKey, out var id) && int.TryParse(id, CultureInfo.InvariantCulture, out var brokerId)
                && values.TryGetValue(EndpointKey, out var published) && Parse(brokerId, published).TryGetValue(listener, out var endpoint))
                brokers.TryAdd(brokerId, endpoint);
        }
        return brokers.Values.ToArray();
    }

    /// <summary>What this silo publishes in its metadata for the other silos' Metadata answers: "NAME://host:port,...".</summary>
    public static string Published(HubSiloOptions options) =>
        string.Join(",", KafkaListenerSpec.From(options).Select(s => (s.Name, Endpoint: Advertised(options.BrokerId, s, s.Port)))
            .Select(l => $"{l.Name}://{l.Endpoint.Host}:{l.Endpoint.Port}"));

    /// <summary>A broker's published listeners by name; an entry without a name (a silo of an older version) is PLAINTEXT.</summary>
    private static Dictionary<string, BrokerEndpoint> Parse(int brokerId, string published)
    {
        var endpoints = new Dictionary<string, BrokerEndpoint>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in published.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            var (name, hostAndPort) = scheme < 0 ? (KafkaListenerSpec.DefaultName, entry) : (entry[..scheme], entry[(scheme + 3)..]);
            if (BrokerEndpoint.Parse(brokerId, hostAndPort) is { } endpoint) endpoints[name] = endpoint;
        }
        return endpoints;
    }

    /// <summary>
    /// Kafka's rule: the advertised host, else the listener's own address, or the machine's name when it listens on
    /// every interface; the advertised port, else the bound one.
    /// </summary>
    private static BrokerEndpoint Advertised(int brokerId, KafkaListenerSpec spec, int boundPort)
    {
        var host = spec.AdvertisedHost;
        if (string.IsNullOrWhiteSpace(host))
        {
            host = IPAddress.TryParse(spec.ListenAddress, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                ? Dns.GetHostName()
                : spec.ListenAddress;
        }
        return new BrokerEndpoint(brokerId, host, spec.AdvertisedPort ?? boundPort);
    }
}
