using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Transport;

/// <summary>
/// The Kafka protocol front door of one silo: accepts TCP connections and runs a <see cref="KafkaConnection"/>
/// for each. It opens once the silo is Active (grain calls work from then on) and closes first on shutdown,
/// so no Kafka request reaches a silo that is already tearing down its grains.
/// </summary>
internal sealed partial class KafkaListener(
    IOptions<HubSiloOptions> options,
    IRequestHandler handler,
    KafkaBrokers brokers,
    ILoggerFactory loggers) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long shutdown waits for requests in progress (a long-polling fetch) before dropping connections.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<KafkaListener>();
    private readonly ILogger _connectionLogger = loggers.CreateLogger<KafkaConnection>();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    /// <summary>The bound address (with the actual port when KafkaPort was 0); null until started.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(KafkaListener), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _socket = Bind(settings.KafkaListenAddress, settings.KafkaPort);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        brokers.SetListenPort(LocalEndPoint.Port);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_socket, settings.KafkaMaxRequestBytes));
        LogListening(_logger, LocalEndPoint, brokers.Local);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_socket is null) return;
        _socket.Dispose(); // ends the accept loop
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_connections.Keys.Append(_acceptLoop ?? Task.CompletedTask)).WaitAsync(DrainTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            LogDrainTimedOut(_logger, DrainTimeout);
        }
    }

    /// <summary>"0.0.0.0" binds every interface, dual-stack where IPv6 exists, so "localhost" works whichever family it resolves to.</summary>
    private static Socket Bind(string address, int port)
    {
        var ip = IPAddress.Parse(address);
        if (ip.Equals(IPAddress.Any) && Socket.OSSupportsIPv6)
        {
            var dual = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            try
            {
                return Listen(dual, new IPEndPoint(IPAddress.IPv6Any, port));
            }
            catch (SocketException)
            {
                dual.Dispose(); // IPv6 present but unusable: fall back to IPv4 alone
            }
        }
        return Listen(new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(ip, port));
    }

    private static Socket Listen(Socket socket, IPEndPoint endpoint)
    {
        try
        {
            // No SO_REUSEADDR: on some kernels (gVisor) it lets a second silo bind the same port silently.
            socket.Bind(endpoint);
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener, int maxRequestBytes)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection that died before it was accepted (ECONNABORTED) or running out of descriptors:
                // either way the listener itself is fine, keep accepting.
                LogAcceptFailed(_logger, e.Message);
                continue;
            }
            client.NoDelay = true;
            var connection = new KafkaConnection(client, handler, maxRequestBytes, _connectionLogger);
            var run = Task.Run(() => connection.RunAsync(_stopping.Token));
            _connections.TryAdd(run, true);
            _ = run.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka listener on {Endpoint}, advertised as {Advertised}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endpoint, BrokerEndpoint advertised);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka connections did not finish within {Timeout}; dropping them")]
    private static partial void LogDrainTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka accept failed: {Problem}")]
    private static partial void LogAcceptFailed(ILogger logger, string problem);
}
