using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
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
internal sealed partial class KafkaConnection(Socket socket, IRequestHandler handler, int maxRequestBytes, ILogger logger)
{
    private const int SizePrefixBytes = 4;

    private readonly ILogger _logger = logger;
    private readonly EndPoint? _remote = socket.RemoteEndPoint;

    /// <summary>The request being handled (its API key and version), for log lines about it; null between requests.</summary>
    private (ApiKey Key, short Version)? _current;

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
                HandledRequest handled;
                using (frame)
                {
                    _current = Describe(frame);
                    handled = await handler.HandleAsync(frame, _remote, response, cancellationToken);
                    _current = null;
                }
                if (handled.Respond) await output.WriteAsync(response.WrittenMemory, cancellationToken);
                // A throttled client is muted, as Kafka mutes its channel: its next request waits unread.
                if (handled.MuteFor > TimeSpan.Zero) await Task.Delay(handled.MuteFor, cancellationToken);
            }
        }
        catch (KafkaProtocolException e)
        {
            LogMalformedRequest(_remote, Current, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            LogEnded(_remote, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogUnexpectedError(e, _remote, Current);
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    private string Current => _current is var (key, version) ? $"{key} v{version}" : "";

    /// <summary>The next whole frame, or null when the client closed the connection between frames.</summary>
    private async ValueTask<RequestLease?> ReadFrameAsync(PipeReader input, CancellationToken cancellationToken)
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
                    var frame = RequestLease.CopyOf(buffer.Slice(SizePrefixBytes, size));
                    input.AdvanceTo(buffer.GetPosition(SizePrefixBytes + size));
                    return frame;
                }
            }
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty) LogClosedMidFrame(_remote);
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

    private static (ApiKey, short) Describe(RequestLease frame)
    {
        var reader = new ProtocolReader(frame.Memory);
        var (key, version, _) = RequestHeader.ReadPrefix(ref reader);
        return ((ApiKey)key, version);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing Kafka connection from {Remote} after a malformed request {Request}: {Problem}")]
    private partial void LogMalformedRequest(EndPoint? remote, string request, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka connection from {Remote} ended: {Problem}")]
    private partial void LogEnded(EndPoint? remote, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing Kafka connection from {Remote} after an unexpected error in {Request}")]
    private partial void LogUnexpectedError(Exception exception, EndPoint? remote, string request);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka connection from {Remote} closed in the middle of a frame")]
    private partial void LogClosedMidFrame(EndPoint? remote);
}
