using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>
/// A TCP proxy between Kafka clients and a broker that, when told to, cuts the connection right after the
/// broker answered a Produce request instead of passing the answer on: the batch is stored but the client
/// never hears so and sends it again, which an idempotent producer must survive without duplicates. The
/// broker must advertise the proxy's port, so that clients come back through it.
/// </summary>
public sealed class ResponseDroppingProxy : IAsyncDisposable
{
    private const int FrameSizeBytes = 4;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private int _dropsLeft;
    private int _dropped;

    public ResponseDroppingProxy() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Bootstrap => $"127.0.0.1:{Port}";

    /// <summary>Produce answers swallowed so far.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Starts passing connections on to the broker at <paramref name="upstream"/> ("host:port").</summary>
    public void Start(string upstream) => _accepting = AcceptAsync(IPEndPoint.Parse(upstream));

    /// <summary>Cuts the connection instead of passing on each of the next <paramref name="count"/> Produce answers.</summary>
    public void DropNextProduceResponses(int count) => Volatile.Write(ref _dropsLeft, count);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await Task.WhenAll(_connections.Append(_accepting)).ContinueWith(_ => { }); // each ends on the cancellation
        _stop.Dispose();
    }

    private async Task AcceptAsync(IPEndPoint upstream)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _connections.Add(RelayAsync(client, upstream));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client, IPEndPoint upstream)
    {
        using (client)
        using (var broker = new TcpClient())
        using (var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            try
            {
                await broker.ConnectAsync(upstream, cut.Token);
                var apiKeys = new ConcurrentDictionary<int, short>(); // correlation id → API key of requests in flight
                await Task.WhenAny(
                    PumpAsync(client.GetStream(), broker.GetStream(), apiKeys, requests: true, cut.Token),
                    PumpAsync(broker.GetStream(), client.GetStream(), apiKeys, requests: false, cut.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
            finally
            {
                cut.Cancel(); // one side ended or was cut: end the other
            }
        }
    }

    /// <summary>Copies frames from one side to the other, noting request API keys or dropping chosen Produce answers.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, ConcurrentDictionary<int, short> apiKeys, bool requests, CancellationToken cancellationToken)
    {
        var size = new byte[FrameSizeBytes];
        try
        {
            while (true)
            {
                await from.ReadExactlyAsync(size, cancellationToken);
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                await from.ReadExactlyAsync(body, cancellationToken);
                if (requests)
                {
                    // Request header: api key int16, api version int16, correlation id int32.
                    apiKeys[BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4))] = BinaryPrimitives.ReadInt16BigEndian(body);
                }
                else if (apiKeys.TryRemove(BinaryPrimitives.ReadInt32BigEndian(body), out var apiKey)
                         && apiKey == (short)ApiKey.Produce && Interlocked.Decrement(ref _dropsLeft) >= 0)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }
                await to.WriteAsync(size, cancellationToken);
                await to.WriteAsync(body, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or EndOfStreamException or SocketException)
        {
        }
    }
}
