using System.Buffers;
using Hub.Silo.Kafka.Apis;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Tests.Kafka;

/// <summary>Runs one Kafka API handler on a hand-made request body of a version before flexible encodings, without a listener.</summary>
internal static class ApiCall
{
    /// <summary>The response body (after the response header).</summary>
    public static async Task<byte[]> HandleAsync(IKafkaApi api, short version, byte[] body)
    {
        using var frame = RequestLease.CopyOf(new ReadOnlySequence<byte>(body));
        var request = new KafkaRequest(new RequestHeader(api.Key, version, 1, null), frame, frame.Memory, false, KafkaSession.Anonymous());
        using var response = new ProtocolWriter();
        Assert.True(await api.HandleAsync(request, response, CancellationToken.None));
        return response.WrittenSpan.ToArray();
    }
}
