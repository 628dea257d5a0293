using Hub.Errors;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// SaslHandshake (key 17) v0-v1: picks the connection's SASL mechanism and answers with the enabled ones. v1 means
/// the tokens follow in SaslAuthenticate requests, v0 that they follow as bare frames. A mechanism not enabled gets
/// UNSUPPORTED_SASL_MECHANISM and the connection closes, as Kafka closes it; a handshake on a listener without SASL,
/// or a second one, gets ILLEGAL_SASL_STATE.
/// </summary>
internal sealed class SaslHandshakeApi() : KafkaApi(ApiKey.SaslHandshake, minVersion: 0, maxVersion: 1, firstFlexibleVersion: short.MaxValue)
{
    public override Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var mechanism = reader.ReadString();
        var sasl = request.Session.Sasl;
        var error = sasl?.Handshake(mechanism, request.Version) ?? ErrorCode.IllegalSaslState;
        if (error == ErrorCode.UnsupportedSaslMechanism) request.Session.CloseAfterResponse = true;

        response.WriteInt16((short)error);
        var enabled = sasl?.EnabledMechanisms ?? [];
        response.WriteArrayLength(enabled.Count);
        foreach (var name in enabled) response.WriteString(name);
        return Task.FromResult(true);
    }
}
