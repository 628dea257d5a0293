using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Hub.Client.Connection;

/// <summary>Turns "host:port" gateway strings into the IP endpoints Orleans' static clustering wants.</summary>
internal static class GatewayEndpoints
{
    public static async Task<IPEndPoint[]> ResolveAsync(IEnumerable<string> gateways, CancellationToken ct)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var gateway in gateways)
        {
            var (host, port) = Parse(gateway);
            if (IPAddress.TryParse(host, out var address))
            {
                endpoints.Add(new IPEndPoint(address, port));
                continue;
            }
            var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
            if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
            // IPv4 first: "localhost" also resolves to ::1, where a silo bound to 127.0.0.1 isn't listening.
            endpoints.Add(new IPEndPoint(
                addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0], port));
        }
        if (endpoints.Count == 0) throw new ArgumentException("no gateway given", nameof(gateways));
        return [.. endpoints];
    }

    /// <summary>Orleans' default gateway port, for gateways given without one.</summary>
    private const int DefaultPort = 30000;

    /// <summary>Splits "host:port", "[v6 address]:port" or a bare host or address (then port 30000).</summary>
    public static (string Host, int Port) Parse(string gateway)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gateway);
        gateway = gateway.Trim();
        string host;
        ReadOnlySpan<char> port;
        if (gateway.StartsWith('['))
        {
            var close = gateway.IndexOf(']');
            if (close < 0) throw BadGateway(gateway);
            host = gateway[1..close];
            port = gateway.AsSpan(close + 1);
            if (!port.IsEmpty && port[0] != ':') throw BadGateway(gateway);
        }
        else if (gateway.IndexOf(':') != gateway.LastIndexOf(':'))
        {
            return IPAddress.TryParse(gateway, out _) ? (gateway, DefaultPort) : throw BadGateway(gateway);
        }
        else
        {
            var colon = gateway.IndexOf(':');
            host = colon < 0 ? gateway : gateway[..colon];
            port = colon < 0 ? [] : gateway.AsSpan(colon);
        }
        if (host.Length == 0) throw BadGateway(gateway);
        if (port.IsEmpty) return (host, DefaultPort);
        return int.TryParse(port[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= IPEndPoint.MaxPort
            ? (host, number)
            : throw BadGateway(gateway);
    }

    private static FormatException BadGateway(string gateway) =>
        new($"gateway '{gateway}' is not of the form host:port");
}
