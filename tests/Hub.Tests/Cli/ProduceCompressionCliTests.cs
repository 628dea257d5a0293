using Hub.Batches;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Cli;

/// <summary><c>hub produce --compression</c> and <c>hub perf produce --compression</c>, the CLI run as a user runs it against a silo process.</summary>
public sealed class ProduceCompressionCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Hub_produce_and_perf_produce_store_batches_with_the_codec_asked_for()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var client = await silo.ConnectAsync();
        await client.Admin.CreateTopicAsync("codecs", 1);

        // One codec per run is enough here: every codec's encoding is tested with the producer itself.
        var lines = Enumerable.Range(0, 20).Select(i => $"line {i}").ToList();
        await HubCli.OutputLinesAsync(silo, string.Join('\n', lines) + "\n", Timeout, "produce", "codecs", "--compression", "lz4");
        Assert.Equal([CompressionType.Lz4], (await StoredCodecs.ReadAsync(client, "codecs", Timeout)).Distinct());
        Assert.Equal(lines, await HubCli.OutputLinesAsync(silo, null, Timeout, "consume", "codecs", "--from-beginning"));

        await HubCli.OutputLinesAsync(silo, null, Timeout, "perf", "produce", "perf-codecs", "--records", "1000", "--partitions", "1", "--compression", "zstd");
        Assert.Equal([CompressionType.Zstd], (await StoredCodecs.ReadAsync(client, "perf-codecs", Timeout)).Distinct());
    }
}
