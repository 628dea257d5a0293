using System.Net;
namespace Hub.Faults.Cluster;

/// <summary>
/// One broker: a Hub silo process in its own namespace, started as infra/local-cluster.sh starts one (Redis
/// clustering, a broker id, a data directory) and advertising its namespace address. Faults stop, kill, pause and
/// start it; while a fault holds it (<see cref="Hold"/>) the <see cref="SiloSupervisor"/> leaves it alone.
/// Start, stop and kill of one node run one at a time.
/// </summary>
internal sealed class SiloNode(int broker, SiloNode.Settings settings) : IDisposable
{
    // Every silo has an address of its own, so all of them use the default ports.
    public const int SiloPort = 11111;
    public const int GatewayPort = 30000;
    public const int KafkaPort = 9092;

    /// <summary>A silo reaches Active in about 1-5 s; several restarting on 2 busy cores take much longer.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>A graceful stop flushes every log; one that takes longer than this is hung, and is killed.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The generic host prints this once the silo joined the cluster and opened its gateway.</summary>
    private const string ReadyLine = "Application started";

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private NamespacedProcess? _process;
    private int _holds;
    private bool _paused;

    /// <summary>What every silo of a run shares.</summary>
    public sealed record Settings(string SiloDll, NetworkLayout Layout, string DataRoot, string LogDirectory, bool FaultInjection);

    public int Broker => broker;

    public IPAddress Address => settings.Layout.BrokerAddress(broker);

    public string DataDirectory => Path.Combine(settings.DataRoot, $"broker-{broker}");

    /// <summary>Started, not exited, not paused (whether the cluster still counts it as a member is another matter).</summary>
    public bool IsRunning => _process is { Exited.IsCompleted: false } && !_paused;

    /// <summary>True while a fault holds this node: it may be down or paused on purpose.</summary>
    public bool IsHeld => Volatile.Read(ref _holds) > 0;

    /// <summary>Keeps the supervisor away from this node until disposed.</summary>
    public IDisposable Hold()
    {
        Interlocked.Increment(ref _holds);
        return new Release(() => Interlocked.Decrement(ref _holds));
    }

    /// <summary>Starts the silo and waits until it is ready; a silo that fails to start is killed and the error thrown.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct);
        try
        {
            if (_process is { Exited.IsCompleted: false }) return;
            _process?.Dispose();
            Directory.CreateDirectory(DataDirectory);
            var address = Address.ToString();
            _process = NamespacedProcess.Start(settings.Layout.BrokerNamespace(broker), "dotnet",
                [
                    settings.SiloDll, "--broker-id", $"{broker}", "--data-dir", DataDirectory,
                    "--silo-port", $"{SiloPort}", "--gateway-port", $"{GatewayPort}", "--kafka-port", $"{KafkaPort}",
                    "--kafka-listen-address", address, "--kafka-advertised-host", address,
                ],
                new Dictionary<string, string>
                {
                    ["HUB_Hub__Clustering__Provider"] = "Redis",
                    ["HUB_Hub__Clustering__RedisConnectionString"] = $"{settings.Layout.StoreAddress}:{StoreNode.Port}",
                    ["HUB_Hub__Clustering__AdvertisedAddress"] = address,
                    ["HUB_Hub__FaultInjection__Enabled"] = settings.FaultInjection ? "true" : "false",
                    // Timestamps line a silo's log up with the run's history when an anomaly is investigated. The console
                    // logger binds FormatterOptions only once a formatter is named.
                    ["Logging__Console__FormatterName"] = "simple",
                    ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
                    ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
                },
                Path.Combine(settings.LogDirectory, $"broker-{broker}.log"), ReadyLine);
            _paused = false;
            try
            {
                await _process.WaitReadyAsync(StartTimeout, ct);
            }
            catch
            {
                _process.Signal(Signals.Kill);
                throw;
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>SIGKILL, as a crash or an OOM kill: nothing is flushed.</summary>
    public Task KillAsync() => EndAsync(Signals.Kill);

    /// <summary>SIGTERM, as a service manager stops it (graceful: logs flushed); killed if that hangs.</summary>
    public Task StopAsync() => EndAsync(Signals.Terminate);

    /// <summary>SIGSTOP: the process hangs where it is, its peers see it stop answering.</summary>
    public void Pause()
    {
        _paused = _process?.Signal(Signals.Stop) == true;
    }

    public void Resume()
    {
        if (!_paused) return;
        _paused = false;
        _process?.Signal(Signals.Continue);
    }

    /// <summary>The exit code of the current process when it ended without a fault holding the node (the supervisor restarts it).</summary>
    public int? ExitedByItself => !IsHeld && _process is { Exited.IsCompletedSuccessfully: true } process ? process.Exited.Result : null;

    public void Dispose()
    {
        if (_paused) _process?.Signal(Signals.Continue);
        _process?.Dispose();
    }

    private async Task EndAsync(int signal)
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_process is not { Exited.IsCompleted: false } process) return;
            // A paused process takes no SIGTERM until it runs again.
            if (_paused) process.Signal(Signals.Continue);
            _paused = false;
            process.Signal(signal);
            if (!await process.WaitForExitAsync(StopTimeout))
            {
                process.Signal(Signals.Kill);
                await process.WaitForExitAsync(StopTimeout);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) release();
        }
    }
}
