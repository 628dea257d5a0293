using Hub.Batches;
using Hub.Client;
using Hub.Partitions;

namespace Hub.Tests.Support;

/// <summary>How a topic's partition 0 stores its batches, as a fetch returns them.</summary>
internal static class StoredCodecs
{
    /// <summary>The codec of every batch in the partition's first MiB, in log order.</summary>
    public static async Task<List<CompressionType>> ReadAsync(HubClient client, string topic, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var fetched = (await client.Router.InvokeAsync(topic, 0, grain => grain.Fetch(new FetchRequest(0, 1 << 20)), cancel.Token)).Records;
        return [.. Log.TestBatches.Split(fetched.Memory).Select(b => b.Header.Compression)];
    }
}
