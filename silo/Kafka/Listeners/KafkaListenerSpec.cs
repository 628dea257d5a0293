using System.Globalization;
using System.Net;
using Hub.Silo.Configuration;

namespace Hub.Silo.Kafka.Listeners;

/// <summary>
/// One named Kafka listener as configured (Kafka's listeners, advertised.listeners and
/// listener.security.protocol.map): where it binds, its security protocol, and what clients are told to connect to.
/// </summary>
internal sealed record KafkaListenerSpec(string Name, SecurityProtocol Protocol, string ListenAddress, int Port, string? AdvertisedHost, int? AdvertisedPort)
{
    /// <summary>The listener of a silo configured with KafkaPort alone, as every silo was before named listeners.</summary>
    public const string DefaultName = "PLAINTEXT";

    /// <summary>
    /// The silo's listeners: those in <see cref="HubSiloOptions.KafkaListeners"/>, or one PLAINTEXT listener on
    /// KafkaListenAddress:KafkaPort. Configuration that can't be followed throws, naming the setting.
    /// </summary>
    public static IReadOnlyList<KafkaListenerSpec> From(HubSiloOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.KafkaListeners))
            return [new(DefaultName, SecurityProtocol.Plaintext, options.KafkaListenAddress, options.KafkaPort, options.KafkaAdvertisedHost, options.KafkaAdvertisedPort)];

        var protocols = ProtocolMap(options.KafkaListenerSecurityProtocolMap);
        var advertised = Entries(options.KafkaAdvertisedListeners, nameof(HubSiloOptions.KafkaAdvertisedListeners))
            .ToDictionary(e => e.Name, e => e, StringComparer.OrdinalIgnoreCase);
        var specs = new List<KafkaListenerSpec>();
        foreach (var (name, host, port) in Entries(options.KafkaListeners, nameof(HubSiloOptions.KafkaListeners)))
        {
            if (specs.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw new ArgumentException($"{nameof(HubSiloOptions.KafkaListeners)} names listener {name} twice");
            var protocol = protocols.TryGetValue(name, out var mapped) ? mapped
                : SecurityProtocols.ByName.TryGetValue(name, out var implied) ? implied
                : throw new ArgumentException($"listener {name} has no security protocol: add {name}:PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL to {nameof(HubSiloOptions.KafkaListenerSecurityProtocolMap)}");
            var bind = host.Length == 0 ? options.KafkaListenAddress : host;
            if (!IPAddress.TryParse(bind, out _))
                throw new ArgumentException($"listener {name} binds '{bind}', which is not an IP address (use 0.0.0.0 for every interface)");
            var isAdvertised = advertised.TryGetValue(name, out var advertisedEntry);
            specs.Add(new(name.ToUpperInvariant(), protocol, bind, port,
                isAdvertised && advertisedEntry.Host.Length > 0 ? advertisedEntry.Host : options.KafkaAdvertisedHost,
                isAdvertised ? advertisedEntry.Port : null));
        }
        foreach (var name in advertised.Keys.Where(n => !specs.Any(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase))))
            throw new ArgumentException($"{nameof(HubSiloOptions.KafkaAdvertisedListeners)} names listener {name}, which {nameof(HubSiloOptions.KafkaListeners)} does not have");
        return specs;
    }

    /// <summary>"NAME://host:port" entries separated by commas; the host may be empty or an [IPv6] address.</summary>
    private static List<(string Name, string Host, int Port)> Entries(string? value, string setting)
    {
        var entries = new List<(string, string, int)>();
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            var colon = entry.LastIndexOf(':');
            if (scheme <= 0 || colon <= scheme + 2
                || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                throw new ArgumentException($"{setting}: '{entry}' is not NAME://host:port");
            var host = entry[(scheme + 3)..colon].Trim('[', ']');
            entries.Add((entry[..scheme], host, port));
        }
        return entries;
    }

    private static Dictionary<string, SecurityProtocol> ProtocolMap(string? value)
    {
        var map = new Dictionary<string, SecurityProtocol>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length != 2 || !SecurityProtocols.ByName.TryGetValue(parts[1], out var protocol))
                throw new ArgumentException($"{nameof(HubSiloOptions.KafkaListenerSecurityProtocolMap)}: '{entry}' is not NAME:PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
            map[parts[0]] = protocol;
        }
        return map;
    }
}
