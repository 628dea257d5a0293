using Microsoft.Extensions.Logging;
using Hub.Errors;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Sasl;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// SaslAuthenticate (key 36) v0-v2: one client token of the mechanism chosen by a v1 SaslHandshake, answered with
/// the server's. A failed authentication answers SASL_AUTHENTICATION_FAILED with the reason and closes the
/// connection, as Kafka does; a request out of turn gets ILLEGAL_SASL_STATE. Sessions don't expire (a lifetime of
/// 0: Kafka's connections.max.reauth.ms default).
/// </summary>
internal sealed partial class SaslAuthenticateApi(ILogger<SaslAuthenticateApi> logger) : KafkaApi(ApiKey.SaslAuthenticate, minVersion: 0, maxVersion: 2, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var token = ReadToken(request);
        var sasl = request.Session.Sasl;
        var (error, message, answer) = (ErrorCode.None, (string?)null, Array.Empty<byte>());
        if (sasl is null || !sasl.AwaitsAuthenticate)
        {
            (error, message) = (ErrorCode.IllegalSaslState, sasl is null ? "this listener has no SASL" : "SaslAuthenticate outside a SASL exchange started by SaslHandshake v1");
            request.Session.CloseAfterResponse = sasl is not null;
        }
        else
        {
            try
            {
                answer = await sasl.AuthenticateAsync(token);
            }
            catch (SaslAuthenticationException e)
            {
                (error, message) = (ErrorCode.SaslAuthenticationFailed, e.Message);
                request.Session.CloseAfterResponse = true;
                LogAuthenticationFailed(request.Session.Remote, request.Session.Listener, e.Message);
            }
        }

        response.WriteInt16((short)error);
        response.WriteNullableString(message);
        response.WriteBytes(answer);
        if (request.Version >= 1) response.WriteInt64(0); // session lifetime: no re-authentication required
        response.WriteEmptyTaggedFields();
        return true;
    }

    private static ReadOnlyMemory<byte> ReadToken(KafkaRequest request)
    {
        var reader = request.Reader();
        var token = reader.ReadBytes();
        reader.SkipTaggedFields();
        return token;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SASL authentication of {Remote} on Kafka listener {Listener} failed: {Problem}")]
    private partial void LogAuthenticationFailed(System.Net.EndPoint? remote, string listener, string problem);
}
