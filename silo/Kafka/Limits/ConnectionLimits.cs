using System.Net;

namespace Hub.Silo.Kafka.Limits;

/// <summary>
/// Counts open Kafka connections per listener and per client address, and refuses one past either limit (Kafka's
/// max.connections and max.connections.per.ip), so one client or a flood can't take every descriptor.
/// </summary>
internal sealed class ConnectionLimits(int maxPerListener, int maxPerAddress)
{
    private readonly Dictionary<string, int> _byListener = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private readonly Lock _lock = new();

    /// <summary>Counts the connection in, or returns false (counting nothing) when a limit is reached.</summary>
    public bool TryOpen(string listener, IPAddress address)
    {
        lock (_lock)
        {
            var onListener = _byListener.GetValueOrDefault(listener);
            var fromAddress = _byAddress.GetValueOrDefault(address);
            if (onListener >= maxPerListener || fromAddress >= maxPerAddress) return false;
            _byListener[listener] = onListener + 1;
            _byAddress[address] = fromAddress + 1;
            return true;
        }
    }

    public void Close(string listener, IPAddress address)
    {
        lock (_lock)
        {
            Decrement(_byListener, listener);
            Decrement(_byAddress, address);
        }
    }

    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull
    {
        if (counts[key] == 1) counts.Remove(key);
        else counts[key]--;
    }
}
