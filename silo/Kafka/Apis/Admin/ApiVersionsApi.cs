using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// ApiVersions (key 18) v0-v3: the API keys and version ranges Hub implements. A client sends it first and
/// picks, per API, the highest version both sides know. The response header is always v0; an unsupported
/// ApiVersions version gets UNSUPPORTED_VERSION with the list in v0 layout, so the client can retry with a
/// version from it (see <see cref="WriteUnsupportedVersion"/>).
/// </summary>
internal sealed class ApiVersionsApi(KafkaApis apis) : KafkaApi(ApiKey.ApiVersions, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 3)
{
    public override Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        if (request.Version >= 3)
        {
            // Client software name and version: only for the broker's metrics, which Hub doesn't keep.
            reader.ReadString();
            reader.ReadString();
            reader.SkipTaggedFields();
        }
        WriteBody(response, ErrorCode.None, request.Version);
        return Task.FromResult(true);
    }

    /// <summary>The v0 answer to an ApiVersions version Hub doesn't know, after a v0 response header.</summary>
    public void WriteUnsupportedVersion(ProtocolWriter response)
    {
        response.Flexible = false;
        WriteBody(response, ErrorCode.UnsupportedVersion, version: 0);
    }

    private void WriteBody(ProtocolWriter response, ErrorCode error, short version)
    {
        response.WriteInt16((short)error);
        response.WriteArrayLength(apis.All.Count);
        foreach (var api in apis.All)
        {
            response.WriteInt16((short)api.Key);
            response.WriteInt16(api.MinVersion);
            response.WriteInt16(api.MaxVersion);
            response.WriteEmptyTaggedFields();
        }
        if (version >= 1) response.WriteInt32(0); // throttle time
        // v3+: no supported or finalized features (tagged fields 0-2) to report.
        response.WriteEmptyTaggedFields();
    }
}
