using Hub.Client;
using Hub.Errors;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Builds one Hub stream provider's parts. The connection is made when Orleans creates the adapter; the queue
/// layout (partitions per topic) is read when the pulling agents start, as a co-hosted Hub answers only once
/// its silo is active, and again every <see cref="HubStreamOptions.PartitionCheckInterval"/> (<see cref="HubQueueBalancer"/>).
/// </summary>
public sealed class HubAdapterFactory : IQueueAdapterFactory
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(30);

    private readonly string _name;
    private readonly HubStreamOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _lock = new();
    private HubStreamConnection? _connection;
    private HubQueueMapper? _mapper;

    private HubAdapterFactory(string name, HubStreamOptions options, IServiceProvider services)
    {
        options.Validate(name);
        _name = name;
        _options = options;
        _services = services;
        _loggers = services.GetRequiredService<ILoggerFactory>();
    }

    /// <summary>What <c>AddPersistentStreams</c> calls to make the factory of provider <paramref name="name"/>.</summary>
    public static HubAdapterFactory Create(IServiceProvider services, string name) =>
        new(name, services.GetRequiredService<IOptionsMonitor<HubStreamOptions>>().Get(name), services);

    public async Task<IQueueAdapter> CreateAdapter()
    {
        var client = _options.Connection is { } remote
            ? await HubClient.ConnectAsync(remote).ConfigureAwait(false)
            : HubClient.FromGrainFactory(_services.GetRequiredService<IGrainFactory>());
        var codec = new HubEventCodec(_services.GetRequiredService<Serializer>(), _options.Topics, _options.UnkeyedStreamKey);
        _connection = new HubStreamConnection(_name, _options, client, codec);
        _services.GetKeyedService<HubStreamDeadLetters>(_name)?.Attach(client, _connection.Group);
        return new HubQueueAdapter(_connection, queue => _mapper?.IsAddedAtRuntime(queue) == true, _loggers);
    }

    internal HubStreamOptions Options => _options;

    public IQueueAdapterCache GetQueueAdapterCache() => new HubQueueAdapterCache(Connection, CurrentPartitionOf, _loggers);

    /// <summary>
    /// The partition the stream's key maps to under its topic's partition count as this silo knows it now; null
    /// before the pulling agents started.
    /// </summary>
    internal int? CurrentPartitionOf(StreamId streamId) => _mapper?.PartitionOf(streamId);

    public IStreamQueueMapper GetStreamQueueMapper()
    {
        lock (_lock)
        {
            if (_mapper is not null) return _mapper;
            // Orleans asks synchronously; the lookup runs on the thread pool, off the caller's scheduler.
            var load = Task.Run(LoadPartitionCountsAsync);
            if (!load.Wait(MetadataTimeout))
                throw new TimeoutException($"Hub stream provider '{_name}' could not read its topics from Hub within {MetadataTimeout}");
            return _mapper = new HubQueueMapper(load.Result);
        }
    }

    /// <summary>
    /// Reads the topics' partition counts again and grows the queue layout; returns the topics that gained
    /// partitions, with their new counts. The provider's producer learns of them too, so events published from
    /// then on go to the partitions their keys now map to.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, int>> RefreshPartitionsAsync(CancellationToken ct)
    {
        var mapper = (HubQueueMapper)GetStreamQueueMapper();
        var before = mapper.PartitionCounts;
        var topics = (await Connection.Client.Admin.ListTopicsAsync(ct).ConfigureAwait(false)).Where(t => before.ContainsKey(t.Name)).ToList();
        if (!mapper.Grow(topics.ToDictionary(t => t.Name, t => t.PartitionCount))) return new Dictionary<string, int>();
        var grown = topics.Where(t => t.PartitionCount > before[t.Name]).ToList();
        foreach (var topic in grown) Connection.Client.Router.Remember(topic);
        return grown.ToDictionary(t => t.Name, t => t.PartitionCount);
    }

    /// <summary>With a dead-letter policy, an event the agent gives up on is dead-lettered; else it is skipped, as Orleans does.</summary>
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(_services.GetKeyedService<HubStreamDeadLetters>(_name) is { } deadLetters
            ? new DeadLetterFailureHandler(deadLetters, _loggers.CreateLogger<DeadLetterFailureHandler>())
            : new NoOpStreamDeliveryFailureHandler());

    private HubStreamConnection Connection =>
        _connection ?? throw new InvalidOperationException($"Hub stream provider '{_name}' is used before Orleans created its adapter");

    private async Task<Dictionary<string, int>> LoadPartitionCountsAsync()
    {
        var counts = new Dictionary<string, int>();
        var existing = (await Connection.Client.Admin.ListTopicsAsync().ConfigureAwait(false)).ToDictionary(t => t.Name);
        foreach (var topic in _options.Topics.Distinct())
        {
            var metadata = existing.GetValueOrDefault(topic) ?? await CreateMissingAsync(topic).ConfigureAwait(false);
            counts[topic] = metadata.PartitionCount;
        }
        return counts;
    }

    private async Task<TopicMetadata> CreateMissingAsync(string topic)
    {
        if (_options.PartitionsForMissingTopics == 0)
            throw new InvalidOperationException($"Hub stream provider '{_name}': topic '{topic}' does not exist; create it before starting the silo " +
                $"(hub topics create {topic} --partitions N) or set HubStreamOptions.PartitionsForMissingTopics");
        var deadline = DateTime.UtcNow + BrokersLiveBound;
        while (true)
        {
            try
            {
                return await Connection.Client.Admin.CreateTopicAsync(topic, _options.PartitionsForMissingTopics).ConfigureAwait(false);
            }
            catch (HubException e) when (e.Code == ErrorCode.TopicAlreadyExists)
            {
                // Another silo of this cluster created it first.
                return (await Connection.Client.Admin.ListTopicsAsync().ConfigureAwait(false)).Single(t => t.Name == topic);
            }
            catch (HubException e) when (e.Code == ErrorCode.InvalidReplicationFactor && DateTime.UtcNow < deadline)
            {
                // The provider starts with the silo, before the cluster counts this silo's broker live: no broker to place
                // the default replication factor on yet.
                await Task.Delay(BrokersLiveRetry).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// How long a missing topic's creation waits for a live broker: a starting silo's broker is counted within seconds;
    /// inside <see cref="MetadataTimeout"/>, so the refusal itself is what a silo that never gets there reports.
    /// </summary>
    private static readonly TimeSpan BrokersLiveBound = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan BrokersLiveRetry = TimeSpan.FromMilliseconds(200);
}
