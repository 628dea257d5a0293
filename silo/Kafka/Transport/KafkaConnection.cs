using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Hub.Silo.Kafka.Limits;
using Hub.Silo.Kafka.Listeners;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Sasl;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Kafka.Transport;

/// <summary>
/// One client connection: TLS first on SSL listeners, then size-prefixed frames (4-byte big-endian length, then the
/// request), each answered in turn, responses written in request order. Requests are handled one at a time, as a
/// Kafka broker does (it mutes a connection while a request is in flight): pipelined produce requests to one
/// partition are then appended in the order they were sent, which Kafka clients rely on.
/// On a SASL listener nothing but ApiVersions and the SASL exchange is answered until the client authenticates.
/// Anything that makes the byte stream untrustworthy (a bad size, an unparseable request, an unknown API or
/// version, a request before authentication) closes the connection, as Kafka does; nothing a client sends can
/// stop the listener.
/// </summary>
internal sealed partial class KafkaConnection(Socket socket, KafkaListenerContext listener, IRequestHandler handler, ILogger logger)
{
    private const int SizePrefixBytes = 4;

    /// <summary>
    /// A connection must finish TLS and SASL within this, or the idle limit if shorter: an unauthenticated peer
    /// holds a connection and its buffers no longer. Generous next to a real handshake (milliseconds), as a loaded
    /// silo may be slow to answer.
    /// </summary>
    internal static readonly TimeSpan AuthenticationDeadline = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = logger;
    private readonly EndPoint? _remote = socket.RemoteEndPoint;

    /// <summary>The request being handled (its API key and version), for log lines about it; null between requests.</summary>
    private (ApiKey Key, short Version)? _current;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        // Cancels a read that waits past the authentication deadline, then past the idle limit before each frame.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(AuthenticationDeadline < listener.MaxIdle ? AuthenticationDeadline : listener.MaxIdle);
        PipeReader? input = null;
        PipeWriter? output = null;
        using var response = new ProtocolWriter();
        try
        {
            var tlsPrincipal = KafkaPrincipal.Anonymous;
            if (listener.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(tls.OptionsFor(listener.Spec.Protocol), deadline.Token);
                tlsPrincipal = KafkaTlsServer.PrincipalOf(ssl.RemoteCertificate);
            }
            var session = new KafkaSession(listener.Spec.Name, _remote, tlsPrincipal,
                listener.Spec.Protocol.UsesSasl() ? new SaslSession(listener.SaslMechanisms, listener.Credentials, listener.OAuthBearer) : null);
            // Zero-byte reads: an idle connection waits for data without holding a buffer, so 10,000 of them cost kilobytes each.
            input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, useZeroByteReads: true));
            output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));

            while (true)
            {
                if (session.Sasl is not { IsAuthenticated: false }) deadline.CancelAfter(listener.MaxIdle);
                var (frame, budgeted) = await ReadFrameAsync(input, deadline, session.Sasl is not { IsAuthenticated: false });
                if (frame is null) break;
                using var lease = frame;
                using var giveBack = new BudgetReturn(listener.Budget, budgeted);
                if (session.Sasl is { ExpectsRawToken: true } sasl)
                {
                    if (!await AnswerRawTokenAsync(sasl, frame, output, cancellationToken)) break;
                    continue;
                }
                _current = Describe(frame);
                if (!session.Allows(_current.Value.Key))
                    throw new KafkaProtocolException($"{_current.Value.Key} before SASL authentication completed");
                var handled = await handler.HandleAsync(frame, session, response, cancellationToken);
                _current = null;
                if (handled.Respond) await output.WriteAsync(response.WrittenMemory, cancellationToken);
                if (session.CloseAfterResponse)
                {
                    LogClosedAfterResponse(_remote, session.Listener);
                    break;
                }
                // A throttled client is muted, as Kafka mutes its channel: its next request waits unread.
                if (handled.MuteFor > TimeSpan.Zero) await Task.Delay(handled.MuteFor, cancellationToken);
            }
        }
        catch (KafkaProtocolException e)
        {
            LogMalformedRequest(_remote, Current, e.Message);
        }
        catch (AuthenticationException e)
        {
            LogTlsHandshakeFailed(_remote, listener.Spec.Name, e.InnerException?.Message ?? e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            LogEnded(_remote, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
            LogTimedOut(_remote, listener.Spec.Name);
        }
        catch (Exception e)
        {
            LogUnexpectedError(e, _remote, Current);
        }
        finally
        {
            if (input is not null) await input.CompleteAsync();
            if (output is not null) await output.CompleteAsync();
            await stream.DisposeAsync();
        }
    }

    /// <summary>
    /// A bare SASL token after a v0 handshake, answered with a bare size-prefixed token; a failed authentication
    /// closes the connection with no answer, which is how such clients learn of it. False when closing.
    /// </summary>
    private async Task<bool> AnswerRawTokenAsync(SaslSession sasl, RequestLease frame, PipeWriter output, CancellationToken cancellationToken)
    {
        byte[] answer;
        try
        {
            answer = await sasl.AuthenticateAsync(frame.Memory);
        }
        catch (SaslAuthenticationException e)
        {
            LogAuthenticationFailed(_remote, e.Message);
            return false;
        }
        var prefix = new byte[SizePrefixBytes];
        BinaryPrimitives.WriteInt32BigEndian(prefix, answer.Length);
        output.Write(prefix);
        output.Write(answer);
        await output.FlushAsync(cancellationToken);
        return true;
    }

    private string Current => _current is var (key, version) ? $"{key} v{version}" : "";

    /// <summary>
    /// The next whole frame and the bytes of the silo's request budget it holds (given back once it is answered), or
    /// no frame when the client closed the connection between frames. Once a frame's size is known it takes that
    /// much budget, waiting while the silo holds too many request bytes, and then must arrive whole within the
    /// receive timeout, so a client trickling a frame (slowloris) holds a connection and its buffer no longer.
    /// </summary>
    private async ValueTask<(RequestLease? Frame, int Budgeted)> ReadFrameAsync(PipeReader input, CancellationTokenSource deadline, bool authenticated)
    {
        var budgeted = 0;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                if (buffer.Length >= SizePrefixBytes)
                {
                    var size = ReadSize(buffer);
                    // Checked before buffering the body, so a forged length can't make the silo hold gigabytes. A bare
                    // SASL token may be shorter than a request header, but not empty.
                    if (size < 1 || size > listener.MaxRequestBytes)
                    {
                        input.AdvanceTo(buffer.Start);
                        throw new KafkaProtocolException($"frame size {size} is outside [1, {listener.MaxRequestBytes}]");
                    }
                    if (budgeted == 0)
                    {
                        input.AdvanceTo(buffer.Start); // nothing consumed: the next read sees these bytes again
                        await listener.Budget.AcquireAsync(size, deadline.Token);
                        budgeted = size;
                        if (authenticated) deadline.CancelAfter(listener.ReceiveTimeout);
                        continue;
                    }
                    if (buffer.Length >= SizePrefixBytes + size)
                    {
                        var frame = RequestLease.CopyOf(buffer.Slice(SizePrefixBytes, size));
                        input.AdvanceTo(buffer.GetPosition(SizePrefixBytes + size));
                        return (frame, budgeted);
                    }
                }
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty) LogClosedMidFrame(_remote);
                    input.AdvanceTo(buffer.End);
                    listener.Budget.Release(budgeted);
                    return (null, 0);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch
        {
            listener.Budget.Release(budgeted);
            throw;
        }
    }

    /// <summary>Gives a frame's bytes back to the silo's request budget once its request is answered.</summary>
    private readonly struct BudgetReturn(RequestBytesBudget budget, int bytes) : IDisposable
    {
        public void Dispose() => budget.Release(bytes);
    }

    private static int ReadSize(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[SizePrefixBytes];
        buffer.Slice(0, SizePrefixBytes).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    private static (ApiKey, short) Describe(RequestLease frame)
    {
        if (frame.Memory.Length < RequestHeader.FixedPrefixSize)
            throw new KafkaProtocolException($"request of {frame.Memory.Length} bytes is shorter than a request header");
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

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS handshake with {Remote} on Kafka listener {Listener} failed: {Problem}")]
    private partial void LogTlsHandshakeFailed(EndPoint? remote, string listener, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "SASL authentication of {Remote} failed: {Problem}")]
    private partial void LogAuthenticationFailed(EndPoint? remote, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing Kafka connection from {Remote} on listener {Listener} after its response (failed authentication or refused mechanism)")]
    private partial void LogClosedAfterResponse(EndPoint? remote, string listener);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing Kafka connection from {Remote} on listener {Listener}: it did not authenticate in time, or sent nothing for the idle limit")]
    private partial void LogTimedOut(EndPoint? remote, string listener);
}
