using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Hub.Client;

namespace Hub.Tests.Cluster;

/// <summary>
/// A real Hub silo process (the same binary ./run.sh starts) on free loopback ports, for end-to-end tests.
/// Its output is kept so a failing test can show what the silo said.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Settings _settings;

    /// <summary>Everything needed to start the same silo again: same program, arguments (broker, disk) and ports.</summary>
    private sealed record Settings(string Dll, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string>? Environment, int BrokerId, int GatewayPort, int KafkaPort,
        string? SiloDataDirectory = null);

    private SiloProcess(Process process, Settings settings)
    {
        _process = process;
        _settings = settings;
    }

    public int BrokerId => _settings.BrokerId;

    public int GatewayPort => _settings.GatewayPort;

    /// <summary>The silo's operating-system process id (benchmarks read its CPU time and memory from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Port of the silo's Kafka listener on loopback.</summary>
    public int KafkaPort => _settings.KafkaPort;

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="brokerId">The silo's broker id (each silo of one cluster needs its own).</param>
    /// <param name="environment">Extra settings, e.g. HUB_Hub__Clustering__Provider=Redis for a real cluster.</param>
    public static async Task<SiloProcess> StartAsync(string dataDirectory, int brokerId = 0, IReadOnlyDictionary<string, string>? environment = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (gatewayPort, siloPort, kafkaPort) = (FreePort(), FreePort(), FreePort());
            try
            {
                return await StartAsync(new Settings(BuiltDll("silo", "Hub.Silo"),
                [
                    "--broker-id", $"{brokerId}", "--data-dir", dataDirectory, "--gateway-port", $"{gatewayPort}", "--silo-port", $"{siloPort}",
                    "--kafka-port", $"{kafkaPort}", "--kafka-listen-address", "127.0.0.1", "--kafka-advertised-host", "127.0.0.1",
                ], environment, brokerId, gatewayPort, kafkaPort, dataDirectory));
            }
            catch (InvalidOperationException e) when (attempt < PortRaceAttempts && e.Message.Contains("Address already in use"))
            {
                // Another test took one of the free ports between FreePort and the silo's bind: fresh ports.
            }
        }
    }

    /// <summary>FreePort gives a port back before the silo binds it, so a test running alongside can take it first; rarely twice.</summary>
    private const int PortRaceAttempts = 3;

    /// <summary>
    /// Starts another generic-host program of this repository (built beside the tests, see <see cref="BuiltDll"/>): an
    /// Orleans host whose gateway listens on <paramref name="gatewayPort"/>, or a program without a gateway (port 0). It
    /// has no broker id and no Kafka listener.
    /// </summary>
    public static Task<SiloProcess> StartProgramAsync(string dll, IReadOnlyList<string> arguments, int gatewayPort) =>
        StartAsync(new Settings(dll, arguments, Environment: null, BrokerId: -1, gatewayPort, KafkaPort: 0));

    /// <summary>
    /// Starts this silo again after it stopped or was killed: same broker id and data directory, fresh ports (a
    /// program started by <see cref="StartProgramAsync"/> keeps its arguments). Its
    /// old ports may have been taken meanwhile by another test's silo (tests run in parallel), and clients find the
    /// new ones through the cluster, as they would after a real broker moved.
    /// </summary>
    public Task<SiloProcess> RestartAsync() => _settings.SiloDataDirectory is { } data
        ? StartAsync(data, _settings.BrokerId, _settings.Environment)
        : StartAsync(_settings);

    private static async Task<SiloProcess> StartAsync(Settings settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(settings.Dll);
        foreach (var argument in settings.Arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in settings.Environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {settings.Dll}");
        var silo = new SiloProcess(process, settings);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            // Exited can come before the last redirected lines are read; this WaitForExit waits for them (end of both streams).
            process.WaitForExit();
            silo._ready.TrySetException(new InvalidOperationException($"silo exited with {process.ExitCode}:\n{silo.Output}"));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo._ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await silo.DisposeAsync();
            throw new TimeoutException($"silo did not start within {StartTimeout}:\n{silo.Output}");
        }
        return silo;
    }

    public Task<HubClient> ConnectAsync() =>
        HubClient.ConnectAsync(new HubClientOptions { Gateways = [$"localhost:{GatewayPort}"], ConnectTimeout = StartTimeout });

    /// <summary>Graceful stop, as Ctrl-C or a service manager does it (SIGTERM), bounded in time.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", $"{_process.Id}"])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(StopTimeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Waits for the process to end by itself (a fault-injection hook killing it, say); throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
    }

    /// <summary>SIGKILL, as a crash or an OOM kill: no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(StopTimeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        // The generic host logs this once the silo has joined its cluster and opened the gateway.
        if (line.Contains("Application started", StringComparison.Ordinal)) _ready.TrySetResult();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The checkout this test assembly was built in (it sits in tests/Hub.Tests/bin/&lt;config&gt;/net10.0/).</summary>
    internal static string RepositoryRoot => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    /// <summary>
    /// The program of project <paramref name="projectDirectory"/> (relative to the repository) built in this test
    /// assembly's configuration (Release under ./test.sh).
    /// </summary>
    internal static string BuiltDll(string projectDirectory, string assemblyName)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot, projectDirectory, "bin", configuration, "net10.0", $"{assemblyName}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build {projectDirectory} first: {dll} is missing");
    }
}
