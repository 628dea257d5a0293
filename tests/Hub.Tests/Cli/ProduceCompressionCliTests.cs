using System.CommandLine;
using Hub.Batches;
using Hub.Cli.CommandLine;
using Hub.Client;
using Hub.Partitions;
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
        await HubAsync(silo, string.Join('\n', lines) + "\n", "produce", "codecs", "--compression", "lz4");
        Assert.Equal([CompressionType.Lz4], (await StoredCodecsAsync(client, "codecs")).Distinct());
        Assert.Equal(lines, (await HubAsync(silo, null, "consume", "codecs", "--from-beginning")).Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await HubAsync(silo, null, "perf", "produce", "perf-codecs", "--records", "1000", "--partitions", "1", "--compression", "zstd");
        Assert.Equal([CompressionType.Zstd], (await StoredCodecsAsync(client, "perf-codecs")).Distinct());
    }

    [Theory]
    [InlineData("none", CompressionType.None)]
    [InlineData("GZIP", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public void Compression_takes_kafkas_codec_names(string text, CompressionType expected)
    {
        var option = CommonOptions.CompressionOption();
        var parse = new RootCommand { option }.Parse(["--compression", text]);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue(option));
        Assert.Equal(CompressionType.None, new RootCommand { option }.Parse([]).GetValue(option));
    }

    [Fact]
    public void An_unknown_codec_is_a_parse_error()
    {
        var parse = new RootCommand { CommonOptions.CompressionOption() }.Parse(["--compression", "brotli"]);

        Assert.Contains(parse.Errors, e => e.Message == "--compression must be none, gzip, snappy, lz4 or zstd, not 'brotli'");
    }

    /// <summary>Runs <c>hub ARGS --gateway ...</c> with <paramref name="input"/> on stdin; its stdout, once it succeeded.</summary>
    private static async Task<string> HubAsync(SiloProcess silo, string? input, params string[] arguments)
    {
        var run = await ExternalProcess.RunAsync("dotnet", input, Timeout,
            [SiloProcess.BuiltDll("client/Hub.Cli", "hub"), .. arguments, "--gateway", $"127.0.0.1:{silo.GatewayPort}"]);
        Assert.True(run.ExitCode == 0, $"hub {string.Join(' ', arguments)}: {run.Errors}");
        return run.Output;
    }

    private static async Task<List<CompressionType>> StoredCodecsAsync(HubClient client, string topic)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var fetched = (await client.Router.InvokeAsync(topic, 0, grain => grain.Fetch(new FetchRequest(0, 1 << 20)), timeout.Token)).Records;
        return [.. Log.TestBatches.Split(fetched.Memory).Select(b => b.Header.Compression)];
    }
}
