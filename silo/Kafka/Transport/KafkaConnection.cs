using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Hub.Silo.Kafka.Apis;
using Hub.Silo.Kafka.Apis.Admin;
using Hub.Silo.Kafka.Protocol;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Kafka.Transport;

/// <summary>
/// One client connection: reads size-prefixed frames (4-byte big-endian length, then the request), answers
/// each in turn and writes the responses in request order. Requests are handled one at a time, as a Kafka
/// broker does (it mutes a connection while a request is in flight): pipelined produce requests to one
/// partition are then appended in the order they were sent, which Kafka clients rely on.
/// Anything that makes the byte stream untrustworthy (a bad size, an unparseable request, an unknown API or
/// version) closes the connection, as Kafka does; nothing a client sends can stop the listener.
/// </summary>
internal sealed class KafkaConnection(Socket socket, KafkaApis apis, int maxRequestBytes, ILogger logger)
{
    private const int SizePrefixBytes = 4;

    private readonly EndPoint? _remote = socket.RemoteEndPoint;

    /// <summary>The request being handled, for log lines about it ("Metadata v12"); empty between requests.</summary>
    private string _current = "";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        using var response = new ProtocolWriter();
        try
        {
            while (await ReadFrameAsync(input, cancellationToken) is { } frame)
            {
                bool respond;
                try
                {
                    respond = await HandleAsync(frame, response, cancellationToken);
                }
                finally
                {
                    if (!frame.Retained) ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
                if (respond) await output.WriteAsync(response.WrittenMemory, cancellationToken);
            }
        }
        catch (KafkaProtocolException e)
        {
            logger.LogDebug("Closing Kafka connection from {Remote} after a malformed request {Request}: {Problem}", _remote, _current, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            logger.LogDebug("Kafka connection from {Remote} ended: {Problem}", _remote, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Closing Kafka connection from {Remote} after an unexpected error in {Request}", _remote, _current);
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    /// <summary>A request frame copied out of the pipe into a pooled buffer; Retained when a grain may still read it.</summary>
    private sealed class Frame(byte[] buffer, int length)
    {
        public byte[] Buffer { get; } = buffer;
        public int Length { get; } = length;
        public bool Retained { get; set; }
        public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);
    }

    /// <summary>The next whole frame, or null when the client closed the connection between frames.</summary>
    private async ValueTask<Frame?> ReadFrameAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= SizePrefixBytes)
            {
                var size = ReadSize(buffer);
                // Checked before buffering the body, so a forged length can't make the silo hold gigabytes.
                if (size < RequestHeader.FixedPrefixSize || size > maxRequestBytes)
                {
                    input.AdvanceTo(buffer.Start);
                    throw new KafkaProtocolException($"request size {size} is outside [{RequestHeader.FixedPrefixSize}, {maxRequestBytes}]");
                }
                if (buffer.Length >= SizePrefixBytes + size)
                {
                    var array = ArrayPool<byte>.Shared.Rent(size);
                    buffer.Slice(SizePrefixBytes, size).CopyTo(array);
                    input.AdvanceTo(buffer.GetPosition(SizePrefixBytes + size));
                    return new Frame(array, size);
                }
            }
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty) logger.LogDebug("Kafka connection from {Remote} closed in the middle of a frame", _remote);
                input.AdvanceTo(buffer.End);
                return null;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static int ReadSize(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[SizePrefixBytes];
        buffer.Slice(0, SizePrefixBytes).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    /// <summary>Decodes the header, lets the API's handler write the response into <paramref name="response"/>.</summary>
    private async Task<bool> HandleAsync(Frame frame, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = new ProtocolReader(frame.Memory);
        var (key, version, correlationId) = RequestHeader.ReadPrefix(ref reader);
        var api = apis.Find(key) ?? throw new KafkaProtocolException($"unknown API key {key}");

        response.Reset();
        var sizeAt = response.ReserveInt32();
        if (version < api.MinVersion || version > api.MaxVersion)
        {
            // Only ApiVersions answers an unknown version: that is how a client learns which versions exist.
            if (api is not ApiVersionsApi apiVersions)
                throw new KafkaProtocolException($"{api.Key} v{version} is not supported (v{api.MinVersion}-v{api.MaxVersion} are)");
            ResponseHeader.Write(response, correlationId, flexible: false);
            apiVersions.WriteUnsupportedVersion(response);
            response.PatchInt32(sizeAt, response.Length - SizePrefixBytes);
            return true;
        }

        var flexible = version >= api.FirstFlexibleVersion;
        var clientId = RequestHeader.ReadClientId(ref reader, flexible);
        var request = new KafkaRequest(new RequestHeader(api.Key, version, correlationId, clientId), reader.Rest, flexible, _remote);
        _current = $"{api.Key} v{version}";
        ResponseHeader.Write(response, correlationId, flexible && api.Key != ApiKey.ApiVersions);
        response.Flexible = flexible;
        try
        {
            var respond = await api.HandleAsync(request, response, cancellationToken);
            response.PatchInt32(sizeAt, response.Length - SizePrefixBytes);
            _current = "";
            return respond;
        }
        finally
        {
            frame.Retained = request.RetainBuffer;
        }
    }
}
