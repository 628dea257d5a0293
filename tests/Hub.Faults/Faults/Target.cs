namespace Hub.Faults.Faults;

/// <summary>The brokers a fault hits and why these (e.g. "broker 1, leader of partition 2").</summary>
internal sealed record Target(IReadOnlyList<int> Brokers, string Description)
{
    public int Broker => Brokers[0];
}
