using System.Net;

namespace Hub.Faults.Cluster;

/// <summary>
/// The names and addresses of one run's network: a bridge in the root namespace (where the runner and its clients
/// are), one namespace per broker and one for the store, each joined to the bridge by a veth pair. Everything
/// carries the run's slot number, so runs side by side never share a name or a subnet.
/// </summary>
internal sealed record NetworkLayout(int Slot, int Brokers)
{
    /// <summary>Every name of a run starts with this and its slot number (interface names may have 15 characters).</summary>
    public const string NamePrefix = "hubf";

    /// <summary>Subnet 10.99.&lt;slot&gt;.0/24: 10.99 is private and unused on these machines; a slot per third byte.</summary>
    public const int MaxSlots = 250;

    private const int FirstBrokerHost = 10;
    private const int StoreHost = 2;
    private const int BridgeHost = 1;

    public string Prefix => $"{NamePrefix}{Slot}";

    public string Bridge => $"{Prefix}br";

    public string StoreNamespace => $"{Prefix}-store";

    public string StoreLink => $"{Prefix}st";

    public IPAddress BridgeAddress => Host(BridgeHost);

    public IPAddress StoreAddress => Host(StoreHost);

    public string BrokerNamespace(int broker) => $"{Prefix}-b{broker}";

    public string BrokerLink(int broker) => $"{Prefix}b{broker}";

    public IPAddress BrokerAddress(int broker) => Host(FirstBrokerHost + broker);

    /// <summary>The broker whose namespace has this address, or -1.</summary>
    public int BrokerAt(IPAddress address)
    {
        var bytes = address.MapToIPv4().GetAddressBytes();
        var broker = bytes[3] - FirstBrokerHost;
        return bytes[0] == 10 && bytes[1] == 99 && bytes[2] == Slot && broker >= 0 && broker < Brokers ? broker : -1;
    }

    public const int PrefixLength = 24;

    private IPAddress Host(int host) => new([10, 99, (byte)Slot, (byte)host]);
}
