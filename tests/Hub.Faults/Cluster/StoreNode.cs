namespace Hub.Faults.Cluster;

/// <summary>
/// The metadata store: Redis (membership, topic and group metadata) in a namespace of its own, so brokers can be
/// cut off from it. Every write is fsynced before Redis answers (appendfsync always), so a restart, even after
/// SIGKILL, keeps everything it acknowledged and the store's own durability is not what a run measures.
/// </summary>
internal sealed class StoreNode(NetworkLayout layout, string dataDirectory, string logDirectory) : IDisposable
{
    public const int Port = 6379;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const string ReadyLine = "Ready to accept connections";

    private NamespacedProcess? _process;

    public string ConnectionString => $"{layout.StoreAddress}:{Port}";

    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        _process?.Dispose();
        _process = NamespacedProcess.Start(layout.StoreNamespace, "redis-server",
            [
                "--bind", $"{layout.StoreAddress}", "--port", $"{Port}", "--protected-mode", "no", "--dir", dataDirectory,
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            ],
            new Dictionary<string, string>(), Path.Combine(logDirectory, "store.log"), ReadyLine);
        await _process.WaitReadyAsync(StartTimeout, ct);
    }

    /// <summary>SIGKILL: whatever Redis acknowledged is in its fsynced append-only file.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Signal(Signals.Kill);
        await _process.WaitForExitAsync(StopTimeout);
    }

    public void Dispose() => _process?.Dispose();
}
