using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>A bare TCP connection to the Kafka listener that sends hand-made frames and reads raw responses.</summary>
internal sealed class RawKafkaConnection : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _client = new() { NoDelay = true };
    private Stream _stream = null!;

    /// <summary>The thumbprint of the certificate the listener showed, on a connection made with <see cref="ConnectTlsAsync"/>.</summary>
    public string? ServerThumbprint { get; private set; }

    public static async Task<RawKafkaConnection> ConnectAsync(string bootstrap)
    {
        var connection = new RawKafkaConnection();
        var endpoint = IPEndPoint.Parse(bootstrap);
        await connection._client.ConnectAsync(endpoint.Address, endpoint.Port);
        connection._stream = connection._client.GetStream();
        return connection;
    }

    /// <summary>A connection to an SSL listener, showing <paramref name="clientCertificate"/> if given; whatever certificate the listener shows is accepted.</summary>
    public static async Task<RawKafkaConnection> ConnectTlsAsync(string bootstrap, X509Certificate2? clientCertificate)
    {
        var connection = await ConnectAsync(bootstrap);
        try
        {
            var ssl = await Security.TlsProbe.AuthenticateAsync(connection._stream, clientCertificate);
            connection._stream = ssl;
            connection.ServerThumbprint = ssl.RemoteCertificate!.GetCertHashString();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public Task SendRawAsync(ReadOnlyMemory<byte> bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Sends a request: the size prefix, a v1 or v2 header, then <paramref name="body"/>.</summary>
    public Task SendAsync(ApiKey key, short version, int correlationId, ReadOnlySpan<byte> body, bool flexibleHeader = false) =>
        SendRawAsync(Frame(key, version, correlationId, body, flexibleHeader));

    public static byte[] Frame(ApiKey key, short version, int correlationId, ReadOnlySpan<byte> body, bool flexibleHeader = false)
    {
        using var writer = new ProtocolWriter();
        var size = writer.ReserveInt32();
        writer.WriteInt16((short)key);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteNullableString("raw-test");
        if (flexibleHeader) writer.WriteUVarint(0);
        body.CopyTo(writer.GetSpan(body.Length));
        writer.Advance(body.Length);
        writer.PatchInt32(size, writer.Length - 4);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Produce v3 (acks=-1) of one batch (or several, concatenated) to a partition of <paramref name="topic"/>; the partition's error code and base offset.</summary>
    public async Task<(short Error, long BaseOffset)> ProduceAsync(string topic, byte[] batch, int partition = 0, string? transactionalId = null)
    {
        await SendAsync(ApiKey.Produce, 3, 1, RequestBodies.Produce(3, topic, partition, batch, transactionalId: transactionalId));
        return await ReceiveProduceAsync(1, topic, partition);
    }

    /// <summary>The answer to a Produce v3 to one partition, sent with <paramref name="correlationId"/>: its error code and base offset.</summary>
    public async Task<(short Error, long BaseOffset)> ReceiveProduceAsync(int correlationId, string topic, int partition = 0, TimeSpan? within = null)
    {
        var response = await ReceiveAsync(within);
        Assert.NotNull(response);
        var reader = new ProtocolReader(response);
        Assert.Equal(correlationId, reader.ReadInt32());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(partition, reader.ReadInt32());
        return (reader.ReadInt16(), reader.ReadInt64());
    }

    /// <summary>The next response frame without its size prefix, or null when the listener closed the connection.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? ReadTimeout);
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, timeout.Token)) return null;
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(body, timeout.Token) ? body : null;
    }

    /// <summary>True when a response arrived within <paramref name="wait"/>; false when none did or the connection closed.</summary>
    public async Task<bool> ReceiveWithinAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            var prefix = new byte[4];
            if (!await ReadExactlyAsync(prefix, timeout.Token)) return false;
            var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
            return size >= 0 && await ReadExactlyAsync(new byte[size], timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    /// <summary>True when the listener closes the connection (rather than answering) within the timeout.</summary>
    public async Task<bool> IsClosedByPeerAsync()
    {
        try
        {
            return await ReceiveAsync() is null;
        }
        catch (IOException)
        {
            return true; // reset rather than closed: closed all the same
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _client.Dispose();
    }
}
