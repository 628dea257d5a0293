using System.Net;

namespace Hub.Faults.Cluster;

/// <summary>
/// One run's network (see <see cref="NetworkLayout"/>) and its partitions. A cut is a pair of blackhole routes,
/// one in each namespace, so traffic stops both ways while every namespace still reaches the bridge, where the
/// clients are. Removed with the run's slot (<see cref="RunSlot.Dispose"/>).
/// </summary>
internal sealed class TestNetwork(NetworkLayout layout)
{
    private readonly Lock _cutsLock = new();
    private readonly HashSet<(string Namespace, IPAddress To)> _cuts = [];

    public NetworkLayout Layout => layout;

    public void Create()
    {
        Commands.Run("ip", "link", "add", layout.Bridge, "type", "bridge");
        Commands.Run("ip", "addr", "add", $"{layout.BridgeAddress}/{NetworkLayout.PrefixLength}", "dev", layout.Bridge);
        Commands.Run("ip", "link", "set", layout.Bridge, "up");
        AddNamespace(layout.StoreNamespace, layout.StoreLink, layout.StoreAddress);
        for (var broker = 0; broker < layout.Brokers; broker++)
            AddNamespace(layout.BrokerNamespace(broker), layout.BrokerLink(broker), layout.BrokerAddress(broker));
    }

    /// <summary>Cuts <paramref name="broker"/> off from every other broker, both ways; clients and the store still reach it.</summary>
    public void IsolateFromPeers(int broker)
    {
        for (var other = 0; other < layout.Brokers; other++)
            if (other != broker) Cut(layout.BrokerNamespace(broker), layout.BrokerAddress(broker), layout.BrokerNamespace(other), layout.BrokerAddress(other));
    }

    /// <summary>Cuts <paramref name="broker"/> off from the store (membership and metadata), both ways.</summary>
    public void IsolateFromStore(int broker) =>
        Cut(layout.BrokerNamespace(broker), layout.BrokerAddress(broker), layout.StoreNamespace, layout.StoreAddress);

    /// <summary>Removes every cut.</summary>
    public void Heal()
    {
        lock (_cutsLock)
        {
            foreach (var (ns, to) in _cuts) Commands.TryRun("ip", "-n", ns, "route", "del", "blackhole", $"{to}/32");
            _cuts.Clear();
        }
    }

    private void Cut(string fromNamespace, IPAddress from, string toNamespace, IPAddress to)
    {
        Blackhole(fromNamespace, to);
        Blackhole(toNamespace, from);
    }

    private void Blackhole(string ns, IPAddress to)
    {
        lock (_cutsLock)
            if (_cuts.Add((ns, to))) Commands.Run("ip", "-n", ns, "route", "add", "blackhole", $"{to}/32");
    }

    private void AddNamespace(string ns, string link, IPAddress address)
    {
        Commands.Run("ip", "netns", "add", ns);
        // The namespace's end is called eth0 inside it; the root end joins the bridge.
        Commands.Run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Commands.Run("ip", "link", "set", link, "master", layout.Bridge, "up");
        Commands.Run("ip", "-n", ns, "addr", "add", $"{address}/{NetworkLayout.PrefixLength}", "dev", "eth0");
        Commands.Run("ip", "-n", ns, "link", "set", "eth0", "up");
        Commands.Run("ip", "-n", ns, "link", "set", "lo", "up");
    }
}
