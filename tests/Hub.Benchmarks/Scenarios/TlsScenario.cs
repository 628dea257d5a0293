using System.Text.RegularExpressions;
using Confluent.Kafka;
using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// What TLS and SASL cost: librdkafka (Confluent.Kafka) producing and consuming 100-byte records on one silo's
/// PLAINTEXT, SSL and SASL_SSL (SCRAM-SHA-512) listeners, side by side in one run; the table gives each one's CPU
/// per record beside plaintext's.
/// </summary>
public static partial class TlsScenario
{
    private static readonly (string Listener, string Label)[] Listeners =
        [("PLAINTEXT", "plaintext"), ("SSL", "TLS"), ("SASL_SSL", "TLS + SASL SCRAM-SHA-512")];

    [GeneratedRegex(@"Kafka listener (\w+) \(\w+\) on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListenerLine();

    public static async Task RunAsync(BenchContext context)
    {
        var certificates = Path.Combine(context.DataDirectory, "tls-certs");
        var made = await ExternalProcess.RunAsync("bash", null, TimeSpan.FromMinutes(1),
            [Path.Combine(SiloProcess.RepositoryRoot, "infra", "make-certs.sh"), certificates]);
        if (made.ExitCode != 0) throw new InvalidOperationException($"infra/make-certs.sh failed: {made.Errors}");
        await using var silo = await SiloProcess.StartAsync(Path.Combine(context.DataDirectory, "tls-silo"), environment: new Dictionary<string, string>
        {
            ["HUB_Hub__KafkaListeners"] = "PLAINTEXT://:0,SSL://:0,SASL_SSL://:0",
            ["HUB_Hub__KafkaTls__CertificateFile"] = Path.Combine(certificates, "server.pem"),
            ["HUB_Hub__KafkaTls__KeyFile"] = Path.Combine(certificates, "server-key.pem"),
            ["HUB_Logging__LogLevel__Hub"] = "Information",
        });
        var ports = ListenerLine().Matches(silo.Output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        await using var client = await silo.ConnectAsync();
        await client.Users.SetPasswordAsync("bench", "bench-secret");
        int[] pids = [silo.ProcessId];
        var records = Sizes.Records(context, Sizes.Small);

        // A tenth of a run first, unmeasured: otherwise the first listener measured pays for compiling both sides' hot paths.
        const string warmUp = "tls-warm-up";
        await client.Admin.CreateTopicAsync(warmUp, Sizes.Partitions);
        var plaintext = $"127.0.0.1:{ports["PLAINTEXT"]}";
        await KafkaLoad.ProduceAsync(plaintext, warmUp, records / 10, Sizes.Small, pids);
        await KafkaLoad.ConsumeAsync(plaintext, warmUp, Sizes.Partitions, records / 10, pids);
        await client.Admin.DeleteTopicAsync(warmUp);

        LoadResult? plainProduced = null, plainConsumed = null;
        foreach (var (listener, label) in Listeners)
        {
            var bootstrap = $"127.0.0.1:{ports[listener]}";
            void Secure(ClientConfig config)
            {
                if (listener == "PLAINTEXT") return;
                config.SslCaLocation = Path.Combine(certificates, "ca.pem");
                config.SecurityProtocol = listener == "SSL" ? SecurityProtocol.Ssl : SecurityProtocol.SaslSsl;
                if (listener != "SASL_SSL") return;
                (config.SaslMechanism, config.SaslUsername, config.SaslPassword) = (SaslMechanism.ScramSha512, "bench", "bench-secret");
            }
            var topic = $"tls-{listener.ToLowerInvariant()}";
            await client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
            var producerConfig = KafkaLoad.ProducerConfig(bootstrap);
            Secure(producerConfig);
            var produced = await KafkaLoad.ProduceAsync(bootstrap, topic, records, Sizes.Small, pids, producerConfig);
            var consumed = await KafkaLoad.ConsumeAsync(bootstrap, topic, Sizes.Partitions, records, pids, Secure);
            plainProduced ??= produced;
            plainConsumed ??= consumed;
            context.Add($"produce librdkafka over {label}, 100 B, {Sizes.Partitions} partitions", produced.RecordsPerSecond, "records/s",
                produced.CostSummary() + Extra(produced, plainProduced));
            context.Add($"consume librdkafka over {label}, 100 B, {Sizes.Partitions} partitions", consumed.RecordsPerSecond, "records/s",
                consumed.CostSummary() + Extra(consumed, plainConsumed));
            await client.Admin.DeleteTopicAsync(topic);
        }
    }

    /// <summary>The CPU per record this run cost beyond plaintext's, client and silo.</summary>
    private static string Extra(LoadResult result, LoadResult plaintext) => result == plaintext ? "" : FormattableString.Invariant(
        $"; beyond plaintext: client {result.ClientCpuMicrosPerRecord - plaintext.ClientCpuMicrosPerRecord:+0.00;-0.00} µs, silo {result.SiloCpuMicrosPerRecord - plaintext.SiloCpuMicrosPerRecord:+0.00;-0.00} µs per record");
}
