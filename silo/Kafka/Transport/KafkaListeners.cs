using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Limits;
using Hub.Silo.Kafka.Listeners;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Sasl;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Transport;

/// <summary>
/// The Kafka protocol front door of one silo: binds every configured listener and runs a <see cref="KafkaConnection"/>
/// for each accepted connection. They open once the silo is Active (grain calls work from then on) and close first
/// on shutdown, so no Kafka request reaches a silo that is already tearing down its grains. Listener configuration
/// that can't be followed (a missing certificate, an unknown mechanism) stops the silo from starting.
/// </summary>
internal sealed partial class KafkaListeners(
    IOptions<HubSiloOptions> options,
    IRequestHandler handler,
    KafkaBrokers brokers,
    IGrainFactory grains,
    TimeProvider time,
    ILoggerFactory loggers) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long shutdown waits for requests in progress (a long-polling fetch) before dropping connections.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<KafkaListeners>();
    private readonly ILogger _connectionLogger = loggers.CreateLogger<KafkaConnection>();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(KafkaListenerContext Context, Socket Socket, Task AcceptLoop)> _bound = [];
    private ConnectionLimits _limits = null!;

    /// <summary>The first listener's bound address (with the actual port when its port was 0); null until started.</summary>
    public IPEndPoint? LocalEndPoint => _bound.Count == 0 ? null : (IPEndPoint)_bound[0].Socket.LocalEndPoint!;

    /// <summary>The bound address of the listener with this name; null until started or when there is none.</summary>
    public IPEndPoint? EndPointOf(string listener) =>
        _bound.FirstOrDefault(b => string.Equals(b.Context.Spec.Name, listener, StringComparison.OrdinalIgnoreCase)).Socket?.LocalEndPoint as IPEndPoint;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(KafkaListeners), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var specs = KafkaListenerSpec.From(settings);
        var tls = TlsServers(settings, specs);
        var mechanisms = EnabledMechanisms(settings.KafkaSaslMechanisms);
        var oauthBearer = mechanisms.Contains(SaslMechanisms.OAuthBearer) ? new OAuthBearerValidator(settings.KafkaOAuthBearer) : null;
        var credentials = grains.GetGrain<IInterBrokerCredentialsGrain>(0);
        var budget = new RequestBytesBudget(Math.Max(settings.KafkaMaxBufferedRequestBytes, settings.KafkaMaxRequestBytes));
        _limits = new ConnectionLimits(settings.KafkaMaxConnections, settings.KafkaMaxConnectionsPerIp);
        foreach (var spec in specs)
        {
            var context = new KafkaListenerContext(spec, tls.GetValueOrDefault(spec.Name), mechanisms, credentials.CredentialsOf,
                settings.KafkaMaxRequestBytes, settings.KafkaConnectionsMaxIdle, settings.KafkaRequestReceiveTimeout, budget, oauthBearer);
            var socket = Bind(spec.ListenAddress, spec.Port);
            var endpoint = (IPEndPoint)socket.LocalEndPoint!;
            brokers.SetListenPort(spec.Name, endpoint.Port);
            _bound.Add((context, socket, Task.Run(() => AcceptLoopAsync(socket, context))));
            LogListening(_logger, spec.Name, spec.Protocol, endpoint, brokers.Local(spec.Name));
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The TLS of each SSL and SASL_SSL listener: Hub:KafkaTls, with what Hub:KafkaListenerTls:NAME sets for it over
    /// that. Settings for a listener that doesn't exist are a mistake (a misspelled name) and stop the silo.
    /// </summary>
    private Dictionary<string, KafkaTlsServer> TlsServers(HubSiloOptions settings, IReadOnlyList<KafkaListenerSpec> specs)
    {
        foreach (var name in settings.KafkaListenerTls.Keys.Where(n => !specs.Any(s => s.Protocol.UsesTls() && string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase))))
            throw new ArgumentException($"Hub:{nameof(HubSiloOptions.KafkaListenerTls)} names '{name}', which is no SSL or SASL_SSL listener");
        var logger = loggers.CreateLogger<KafkaTlsServer>();
        var servers = new Dictionary<string, KafkaTlsServer>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in specs.Where(s => s.Protocol.UsesTls()))
        {
            var own = settings.KafkaListenerTls.FirstOrDefault(e => string.Equals(e.Key, spec.Name, StringComparison.OrdinalIgnoreCase)).Value;
            var (section, options) = own is null
                ? ($"Hub:{nameof(HubSiloOptions.KafkaTls)}", settings.KafkaTls)
                : ($"Hub:{nameof(HubSiloOptions.KafkaListenerTls)}:{spec.Name}", own.Over(settings.KafkaTls));
            servers[spec.Name] = new KafkaTlsServer(section, options, settings.TlsFilesCheckInterval, time, logger);
        }
        return servers;
    }

    private static IReadOnlyList<string> EnabledMechanisms(string configured)
    {
        var names = configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names.Where(n => !SaslMechanisms.All.Contains(n, StringComparer.Ordinal)))
            throw new ArgumentException($"Hub:{nameof(HubSiloOptions.KafkaSaslMechanisms)} names '{name}': Hub offers {string.Join(", ", SaslMechanisms.All)}");
        return names;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_bound.Count == 0) return;
        foreach (var (_, socket, _) in _bound) socket.Dispose(); // ends the accept loops
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_connections.Keys.Concat(_bound.Select(b => b.AcceptLoop))).WaitAsync(DrainTimeout, cancellationToken);
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

    private async Task AcceptLoopAsync(Socket listener, KafkaListenerContext context)
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
            var address = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (!_limits.TryOpen(context.Spec.Name, address))
            {
                LogConnectionRefused(_logger, context.Spec.Name, address);
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            var connection = new KafkaConnection(client, context, handler, _connectionLogger);
            var run = Task.Run(() => connection.RunAsync(_stopping.Token));
            _connections.TryAdd(run, true);
            _ = run.ContinueWith(t =>
            {
                _limits.Close(context.Spec.Name, address);
                _connections.TryRemove(t, out _);
            }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka listener {Listener} ({Protocol}) on {Endpoint}, advertised as {Advertised}")]
    private static partial void LogListening(ILogger logger, string listener, SecurityProtocol protocol, IPEndPoint endpoint, BrokerEndpoint? advertised);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka connections did not finish within {Timeout}; dropping them")]
    private static partial void LogDrainTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a Kafka connection on listener {Listener} from {Address}: the listener's or the address's connection limit is reached")]
    private static partial void LogConnectionRefused(ILogger logger, string listener, IPAddress address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka accept failed: {Problem}")]
    private static partial void LogAcceptFailed(ILogger logger, string problem);
}
