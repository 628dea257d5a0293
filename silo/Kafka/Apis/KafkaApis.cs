using Hub.Silo.Kafka.Apis.Admin;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis;

/// <summary>
/// The APIs the listener answers, by key, and the dispatch of one request frame to its handler: the header is
/// decoded here, the version checked, the response header and size written around the handler's body.
/// ApiVersions is built here because it advertises all of them.
/// </summary>
internal sealed class KafkaApis : IRequestHandler
{
    /// <summary>The response's 4-byte size prefix, which counts the bytes after it.</summary>
    private const int SizePrefixBytes = 4;

    private readonly Dictionary<short, IKafkaApi> _byKey = [];

    public KafkaApis(IEnumerable<IKafkaApi> apis)
    {
        foreach (var api in apis.Append(new ApiVersionsApi(this))) _byKey.Add((short)api.Key, api);
        All = _byKey.Values.OrderBy(a => a.Key).ToArray();
    }

    /// <summary>Every API, ordered by key: what ApiVersions advertises.</summary>
    public IReadOnlyList<IKafkaApi> All { get; }

    public IKafkaApi? Find(short key) => _byKey.GetValueOrDefault(key);

    public async Task<HandledRequest> HandleAsync(RequestLease frame, KafkaSession session, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = new ProtocolReader(frame.Memory);
        var (key, version, correlationId) = RequestHeader.ReadPrefix(ref reader);
        var api = Find(key) ?? throw new KafkaProtocolException($"unknown API key {key}");

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
            return new HandledRequest(Respond: true, TimeSpan.Zero);
        }

        var flexible = version >= api.FirstFlexibleVersion;
        var clientId = RequestHeader.ReadClientId(ref reader, flexible);
        var request = new KafkaRequest(new RequestHeader(api.Key, version, correlationId, clientId), frame, reader.Rest, flexible, session);
        ResponseHeader.Write(response, correlationId, flexible && api.Key != ApiKey.ApiVersions);
        response.Flexible = flexible;
        var respond = await api.HandleAsync(request, response, cancellationToken);
        response.PatchInt32(sizeAt, response.Length - SizePrefixBytes);
        return new HandledRequest(respond, request.Throttle);
    }
}
