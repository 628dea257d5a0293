using System.Text;
using Hub.Batches;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>
/// kcat, the SDK and <c>hub consume</c> against a real silo process, reading each other's compressed batches as
/// a user would: kcat writes zstd (the one codec Debian's kcat compresses with for Hub, see the README), the SDK
/// writes each codec, all into one partition that each reader then reads whole.
/// </summary>
public sealed class CompressionEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [KcatFact]
    public async Task Kcat_the_SDK_and_hub_consume_read_each_others_compressed_batches()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var client = await silo.ConnectAsync();
        var broker = $"127.0.0.1:{silo.KafkaPort}";
        await client.Admin.CreateTopicAsync("mixed", 1);

        var values = Values("kcat").ToList();
        var produce = await Kcat.RunAsync(string.Join('\n', values) + "\n", "-b", broker, "-P", "-t", "mixed", "-z", "zstd");
        Assert.True(produce.ExitCode == 0, produce.Errors);
        CompressionType[] codecs = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
        foreach (var codec in codecs)
        {
            var written = Values($"sdk {codec}");
            await using (var producer = client.CreateProducer(new ProducerOptions { CompressionType = codec, LingerMs = 20 }))
            {
                foreach (var value in written) producer.Produce("mixed", new ProducerRecord { Value = Encoding.UTF8.GetBytes(value) });
            }
            values.AddRange(written);
        }
        var stored = await StoredCodecs.ReadAsync(client, "mixed", Timeout);
        Assert.All(codecs, codec => Assert.Contains(codec, stored));

        var consumed = await Kcat.RunAsync(null, "-b", broker, "-C", "-t", "mixed", "-e", "-q", "-f", "%s\n");
        Assert.True(consumed.ExitCode == 0, consumed.Errors);
        Assert.Equal(values, consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(values, await HubCli.OutputLinesAsync(silo, null, Timeout, "consume", "mixed", "--from-beginning"));
        Assert.Equal(values, await SdkValues.ReadAsync(client, "mixed", values.Count, Timeout));
    }

    private static string[] Values(string source) => Enumerable.Range(0, 30).Select(i => $"{source} line {i} {new string('x', i)}").ToArray();
}
