using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;

namespace Hub.Streamiz.WordCount;

/// <summary>Runs the word-count stream for the host's lifetime; a stream that fails stops the process with exit code 1.</summary>
public sealed class WordCountService(WordCountSettings settings, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IHostedService
{
    /// <summary>
    /// Partitions of a killed instance move to the next one after this long without heartbeats (librdkafka's default is
    /// 45 s); Kafka's smallest allowed (group.min.session.timeout.ms) is 6 s.
    /// </summary>
    private const int SessionTimeoutMs = 10_000;

    /// <summary>
    /// A killed instance's open transaction is aborted this long after it began (librdkafka's default is 60 s); until
    /// then it holds read_committed readers, the next instance's restore among them.
    /// </summary>
    private const int TransactionTimeoutMs = 10_000;

    private readonly ILogger _log = loggers.CreateLogger<WordCountService>();
    private KafkaStream? _stream;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            ApplicationId = settings.ApplicationId,
            BootstrapServers = settings.BootstrapServers,
            Guarantee = settings.Guarantee,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            StateDir = settings.StateDir,
            SessionTimeoutMs = SessionTimeoutMs,
            TransactionTimeoutMs = TransactionTimeoutMs,
            Logger = loggers,
        };
        _stream = new KafkaStream(WordCountTopology.Build(settings.Input, settings.Output), config);
        _stream.StateChanged += (from, to) =>
        {
            _log.LogInformation("word count stream: {From} -> {To}", from, to);
            if (to != KafkaStream.State.ERROR) return;
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        };
        await _stream.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stream?.Dispose();
        return Task.CompletedTask;
    }
}
