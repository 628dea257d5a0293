using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>A fact that runs only where kcat is installed (infra/install-test-deps.sh installs it).</summary>
public sealed class KcatFactAttribute : FactAttribute
{
    public KcatFactAttribute()
    {
        if (!Kcat.IsInstalled) Skip = "kcat is not installed and infra/install-test-deps.sh could not install it";
    }
}

/// <summary>A theory that runs only where kcat is installed.</summary>
public sealed class KcatTheoryAttribute : TheoryAttribute
{
    public KcatTheoryAttribute()
    {
        if (!Kcat.IsInstalled) Skip = "kcat is not installed and infra/install-test-deps.sh could not install it";
    }
}

/// <summary>Runs the kcat command-line client (librdkafka 2.x) and collects what it prints.</summary>
public static class Kcat
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static bool IsInstalled { get; } = ExternalProcess.IsOnPath("kcat");

    public static Task<ExternalProcess.Result> RunAsync(string? input, params string[] arguments) =>
        ExternalProcess.RunAsync("kcat", input, Timeout, arguments);
}

/// <summary>kcat against a real silo process, as a user would run it after ./run.sh.</summary>
public sealed class KcatTests
{
    [KcatFact]
    public async Task Kcat_lists_produces_and_consumes()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using (var client = await silo.ConnectAsync()) await client.Admin.CreateTopicAsync("kcat-topic", 3);
        var broker = $"127.0.0.1:{silo.KafkaPort}";

        var list = await Kcat.RunAsync(null, "-b", broker, "-L", "-t", "kcat-topic");
        Assert.True(list.ExitCode == 0, list.Errors);
        Assert.Contains($"broker 0 at 127.0.0.1:{silo.KafkaPort}", list.Output);
        Assert.Contains("topic \"kcat-topic\" with 3 partitions", list.Output);

        var lines = Enumerable.Range(0, 30).Select(i => $"key{i}:value {i}").ToArray();
        // zstd: the only codec Debian's kcat (librdkafka 2.0.2) compresses with for a broker without Produce v0 (README).
        var produce = await Kcat.RunAsync(string.Join('\n', lines) + "\n", "-b", broker, "-P", "-t", "kcat-topic", "-K:", "-z", "zstd");
        Assert.True(produce.ExitCode == 0, produce.Errors);
        var headers = await Kcat.RunAsync("with headers\n", "-b", broker, "-P", "-t", "kcat-topic", "-p", "0", "-H", "source=kcat", "-H", "empty=");
        Assert.True(headers.ExitCode == 0, headers.Errors);

        var consume = await Kcat.RunAsync(null, "-b", broker, "-C", "-t", "kcat-topic", "-e", "-q", "-f", "%k:%s|%h\n");
        Assert.True(consume.ExitCode == 0, consume.Errors);
        var consumed = consume.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Order(), consumed.Where(l => l.StartsWith("key", StringComparison.Ordinal)).Select(l => l.Split('|')[0]).Order());
        Assert.Contains(":with headers|source=kcat,empty=", consumed);

        var offsets = await Kcat.RunAsync(null, "-b", broker, "-Q", "-t", "kcat-topic:0:-2");
        Assert.True(offsets.ExitCode == 0, offsets.Errors);
        Assert.Contains("kcat-topic [0] offset 0", offsets.Output);
    }
}
