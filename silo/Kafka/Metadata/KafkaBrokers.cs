using System.Globalization;
using System.Net;
using Hub.Silo.Configuration;
using Hub.Silo.Placement;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Hub.Silo.Kafka.Metadata;

/// <summary>
/// The brokers Kafka clients are told about: every active silo that publishes a Kafka endpoint in its silo
/// metadata (<see cref="EndpointKey"/>), and always this silo (its listener's actual port), so Metadata never
/// lists no broker while membership is still settling.
/// </summary>
internal sealed class KafkaBrokers(
    IOptions<HubSiloOptions> options,
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails localSilo)
{
    public const string EndpointKey = "hub.kafka-endpoint";

    private volatile string _localEndpoint = Advertised(options.Value, options.Value.KafkaPort);

    public int LocalBrokerId => options.Value.BrokerId;

    public BrokerEndpoint Local => BrokerEndpoint.Parse(LocalBrokerId, _localEndpoint) ?? new BrokerEndpoint(LocalBrokerId, "localhost", options.Value.KafkaPort);

    /// <summary>Called by the listener once bound, so an ephemeral port (KafkaPort 0) is advertised as bound.</summary>
    internal void SetListenPort(int port) => _localEndpoint = Advertised(options.Value, port);

    /// <summary>Live brokers by id, this one included.</summary>
    public IReadOnlyList<BrokerEndpoint> Live()
    {
        var brokers = new SortedDictionary<int, BrokerEndpoint> { [LocalBrokerId] = Local };
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active || member.SiloAddress.Equals(localSilo.SiloAddress)) continue;
            var values = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
            if (values.TryGetValue(BrokerDirectory.BrokerIdKey, out var id) && int.TryParse(id, CultureInfo.InvariantCulture, out var brokerId)
                && values.TryGetValue(EndpointKey, out var endpoint) && BrokerEndpoint.Parse(brokerId, endpoint) is { } parsed)
                brokers.TryAdd(brokerId, parsed);
        }
        return brokers.Values.ToArray();
    }

    /// <summary>The "host:port" this silo publishes in its metadata for the other silos' Metadata answers.</summary>
    public static string Advertised(HubSiloOptions options, int listenPort)
    {
        var host = options.KafkaAdvertisedHost;
        if (string.IsNullOrWhiteSpace(host))
        {
            // Kafka's rule: with no advertised listener, clients get the listener's host, and the machine's
            // name when it listens on every interface.
            host = IPAddress.TryParse(options.KafkaListenAddress, out var address)
                   && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                ? Dns.GetHostName()
                : options.KafkaListenAddress;
        }
        return $"{host}:{options.KafkaAdvertisedPort ?? listenPort}";
    }
}
