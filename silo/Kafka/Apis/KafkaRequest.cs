using System.Net;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis;

/// <summary>
/// One parsed request header and its body: a slice of the frame buffer that stays valid until the handler's
/// task completes (see <see cref="RetainBuffer"/>).
/// </summary>
internal sealed class KafkaRequest(RequestHeader header, ReadOnlyMemory<byte> body, bool flexible, EndPoint? remote)
{
    public RequestHeader Header { get; } = header;

    public short Version => Header.ApiVersion;

    /// <summary>Whether this version uses flexible encodings (compact types, tagged fields).</summary>
    public bool Flexible { get; } = flexible;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public EndPoint? Remote { get; } = remote;

    /// <summary>A reader over the body with this version's encodings.</summary>
    public ProtocolReader Reader() => new(Body, Flexible);

    /// <summary>
    /// Set by a handler when a grain call that was given a slice of the body may still be reading it (a call
    /// that timed out rather than answered): the frame buffer is then left to the garbage collector instead of
    /// going back to the pool, where another request would overwrite it under the grain's feet.
    /// </summary>
    public bool RetainBuffer { get; set; }
}
