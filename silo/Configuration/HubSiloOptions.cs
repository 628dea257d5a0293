namespace Hub.Silo.Configuration;

/// <summary>Settings of one Hub silo (configuration section "Hub").</summary>
public sealed class HubSiloOptions
{
    public const string SectionName = "Hub";

    /// <summary>Stable id of this broker, as Kafka's broker.id: partition replicas are keyed by it.</summary>
    public int BrokerId { get; set; }

    /// <summary>Root of the silo's data: partition logs under logs/, grain state under meta/.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (the SDK and the hub CLI) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "hub";

    public string ServiceId { get; set; } = "hub";

    /// <summary>How often each partition deletes segments past retention (Kafka's log.retention.check.interval.ms).</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Port of the Kafka protocol listener (Kafka's default 9092); 0 takes any free port.</summary>
    public int KafkaPort { get; set; } = 9092;

    /// <summary>Address the Kafka listener binds: "0.0.0.0" (every interface, IPv4 and IPv6 where possible), or one address.</summary>
    public string KafkaListenAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// Host name Kafka clients are told to connect to (Metadata's broker host, Kafka's advertised.listeners),
    /// for silos behind NAT or a load balancer. Default: the listen address, or this machine's host name when
    /// listening on every interface.
    /// </summary>
    public string? KafkaAdvertisedHost { get; set; }

    /// <summary>Port Kafka clients are told to connect to; default: the listen port.</summary>
    public int? KafkaAdvertisedPort { get; set; }

    /// <summary>
    /// Named Kafka listeners (Kafka's listeners): "NAME://host:port" separated by commas, e.g.
    /// "PLAINTEXT://127.0.0.1:9092,SECURE://0.0.0.0:9093". An empty host binds <see cref="KafkaListenAddress"/>.
    /// Unset: one PLAINTEXT listener on KafkaListenAddress:KafkaPort, advertised as KafkaAdvertisedHost:KafkaAdvertisedPort.
    /// </summary>
    public string? KafkaListeners { get; set; }

    /// <summary>
    /// What clients of each listener are told to connect to (Kafka's advertised.listeners), "NAME://host:port" by
    /// listener name. A listener not named here advertises KafkaAdvertisedHost (or its listen address, or this
    /// machine's name when it listens on every interface) and its bound port.
    /// </summary>
    public string? KafkaAdvertisedListeners { get; set; }

    /// <summary>
    /// Each listener's security protocol (Kafka's listener.security.protocol.map), "NAME:PROTOCOL" separated by
    /// commas; PROTOCOL is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. A listener named after a protocol has it.
    /// </summary>
    public string? KafkaListenerSecurityProtocolMap { get; set; }

    /// <summary>The certificate of SSL and SASL_SSL listeners and how they treat client certificates ("Hub:KafkaTls").</summary>
    public KafkaTlsOptions KafkaTls { get; set; } = new();

    /// <summary>
    /// TLS settings of one listener by its name ("Hub:KafkaListenerTls:INTERNAL:ClientAuth", Kafka's
    /// listener.name.internal.ssl.client.auth), over those of <see cref="KafkaTls"/>: e.g. an internal listener
    /// requiring client certificates and an external one with a public certificate.
    /// </summary>
    public Dictionary<string, KafkaTlsOptions> KafkaListenerTls { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How often at most a silo looks at its certificate, key and CA files (Kafka's and Orleans') for a change, to
    /// reload them. 10 s: a rotated certificate is served within seconds, while a silo taking thousands of
    /// handshakes a second looks at the files once, not thousands of times.
    /// </summary>
    public TimeSpan TlsFilesCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// SASL mechanisms SASL listeners offer (Kafka's sasl.enabled.mechanisms): PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, and
    /// OAUTHBEARER when listed, checked as <see cref="KafkaOAuthBearer"/> says.
    /// </summary>
    public string KafkaSaslMechanisms { get; set; } = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512";

    /// <summary>How OAUTHBEARER tokens are checked ("Hub:KafkaOAuthBearer").</summary>
    public KafkaOAuthBearerOptions KafkaOAuthBearer { get; set; } = new();

    /// <summary>
    /// Bytes of Kafka requests a silo holds at once, being received or handled, over all connections (Kafka's
    /// queued.max.request.bytes): past it, connections wait before reading their next request. At least
    /// <see cref="KafkaMaxRequestBytes"/>.
    /// </summary>
    public long KafkaMaxBufferedRequestBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Once a request's size has arrived, its bytes must all arrive within this, or the connection is closed (a slowloris guard).</summary>
    public TimeSpan KafkaRequestReceiveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Open connections each Kafka listener takes (Kafka's max.connections); one past it is closed at once. Below
    /// the process's descriptor limit, which the logs and Orleans' links need too.
    /// </summary>
    public int KafkaMaxConnections { get; set; } = 10_000;

    /// <summary>Open Kafka connections one client address may hold over all listeners (Kafka's max.connections.per.ip).</summary>
    public int KafkaMaxConnectionsPerIp { get; set; } = int.MaxValue;

    /// <summary>A Kafka connection that sends no request for this long is closed (Kafka's connections.max.idle.ms).</summary>
    public TimeSpan KafkaConnectionsMaxIdle { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest Kafka request accepted (Kafka's socket.request.max.bytes); a larger frame closes the connection.</summary>
    public int KafkaMaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>
    /// Kafka's auto.create.topics.enable: a Metadata request naming a topic that does not exist creates it, when the
    /// client allows it (v4+; producers do by default, librdkafka's consumers not) and the principal may CREATE it, with
    /// <see cref="DefaultTopicPartitions"/> partitions and the replication CreateTopics gives -1 (three replicas, or
    /// as many brokers as are live). Off by default, unlike Kafka: a typo in a producer's topic name would otherwise
    /// make a topic nobody reads, which is why managed Kafka services turn it off too; tools and test suites that
    /// expect it turn it on.
    /// </summary>
    public bool AutoCreateTopics { get; set; }

    /// <summary>Partitions of an auto-created topic, and of one CreateTopics asks -1 partitions for (Kafka's num.partitions).</summary>
    public int DefaultTopicPartitions { get; set; } = 1;

    /// <summary>
    /// Incremental fetch sessions (KIP-227) a silo keeps at once (Kafka's max.incremental.fetch.session.cache.slots,
    /// 1000 there and here): one per consumer (or share of one) fetching from the silo. A session holds some 100 bytes
    /// per partition; past the slots, consumers fall back to full fetches.
    /// </summary>
    public int FetchSessionCacheSlots { get; set; } = 1000;

    /// <summary>Length of one sample of a client quota's rate (Kafka's quota.window.size.seconds).</summary>
    public TimeSpan QuotaWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Samples a client quota's rate keeps (Kafka's quota.window.num): the rate is measured over that many windows.</summary>
    public int QuotaWindowSamples { get; set; } = 11;

    /// <summary>
    /// Committed offsets of an empty consumer group are dropped this long after the later of their commit and
    /// the moment the group became empty (Kafka's offsets.retention.minutes, default 7 days).
    /// </summary>
    public TimeSpan OffsetsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often groups look for expired offsets (Kafka's offsets.retention.check.interval.ms).</summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often open transactions are checked for their timeout, and prepared ones whose coordinator died are finished
    /// (Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms, default 10 s).
    /// </summary>
    public TimeSpan TransactionTimeoutCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the first rebalance of an empty group waits for more members before completing (Kafka's
    /// group.initial.rebalance.delay.ms), so consumers started together share one rebalance.
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Shortest session timeout a group member may ask for (Kafka's group.min.session.timeout.ms).</summary>
    public TimeSpan GroupMinSessionTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Longest session timeout a group member may ask for (Kafka's group.max.session.timeout.ms).</summary>
    public TimeSpan GroupMaxSessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A consumer-protocol (KIP-848) member that sends no heartbeat for this long is removed and its partitions go to
    /// others (Kafka's group.consumer.session.timeout.ms, 45 s there and here). The broker decides it, not the client.
    /// </summary>
    public TimeSpan ConsumerGroupSessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// How often consumer-protocol members heartbeat (Kafka's group.consumer.heartbeat.interval.ms, 5 s there and
    /// here): also how soon a member learns of a new assignment, so shorter moves partitions faster for more requests.
    /// </summary>
    public TimeSpan ConsumerGroupHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest metadata string stored with a committed offset (Kafka's offset.metadata.max.bytes).</summary>
    public int OffsetMetadataMaxBytes { get; set; } = 4096;

    /// <summary>
    /// A follower that has not caught up with its leader's log end for this long leaves the in-sync replicas,
    /// so acks=all writes stop waiting for it (Kafka's replica.lag.time.max.ms, default 30 s there).
    /// </summary>
    public TimeSpan ReplicaLagTimeMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an acks=all append waits for the in-sync replicas before answering REQUEST_TIMED_OUT.</summary>
    public TimeSpan ReplicationTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A broker gone this long is replaced: its replicas are re-created on other brokers from the leaders, so
    /// every partition gets back to its replication factor. A broker back sooner just catches up.
    /// </summary>
    public TimeSpan DeadBrokerReplacementDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A partition forgets an idempotent producer that has not written to it for this long (Kafka's
    /// producer.id.expiration.ms, default 1 day): a retry from it after that is no longer recognized as a duplicate.
    /// </summary>
    public TimeSpan ProducerIdExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often partitions look for expired producers (Kafka's producer.id.expiration.check.interval.ms).</summary>
    public TimeSpan ProducerIdExpirationCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The log cleaner of compacted topics ("Hub:LogCleaner").</summary>
    public LogCleanerOptions LogCleaner { get; set; } = new();

    /// <summary>Mutual TLS between silos and at the gateway ("Hub:OrleansTls"); off unless a certificate is configured.</summary>
    public OrleansTlsOptions OrleansTls { get; set; } = new();

    /// <summary>ACL checks of Kafka requests and the super users ("Hub:Authorization"); off unless configured.</summary>
    public AuthorizationOptions Authorization { get; set; } = new();

    /// <summary>Membership and where cluster-wide grain state lives ("Hub:Clustering").</summary>
    public HubClusteringOptions Clustering { get; set; } = new();

    /// <summary>Test-only fault injection ("Hub:FaultInjection"); off unless configured.</summary>
    public FaultInjectionOptions FaultInjection { get; set; } = new();

    public string LogsDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>Where the fault-injection marker files go (see <see cref="FaultInjectionOptions"/>).</summary>
    public string FaultInjectionDirectory => Path.Combine(DataDirectory, "fault-injection");

    public string MetadataDirectory => Path.Combine(DataDirectory, "meta");
}
