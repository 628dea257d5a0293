using Hub.Silo.Kafka.Apis.Admin;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Silo.Quotas;
using Hub.Quotas;

namespace Hub.Silo.Kafka.Apis;

/// <summary>
/// The APIs the listener answers, by key, and the dispatch of one request frame to its handler: the header is
/// decoded here, the version checked, the response header and size written around the handler's body.
/// ApiVersions is built here because it advertises all of them.
/// </summary>
internal sealed class KafkaApis : IRequestHandler
{
    private readonly ClientQuotas? _quotas;
    private readonly TimeProvider _time;

    /// <summary>The response's 4-byte size prefix, which counts the bytes after it.</summary>
    private const int SizePrefixBytes = 4;

    private readonly Dictionary<short, IKafkaApi> _byKey = [];

    /// <param name="quotas">The silo's client quotas, which meter each request's time (request_percentage); none in tests of the dispatch alone.</param>
    public KafkaApis(IEnumerable<IKafkaApi> apis, ClientQuotas? quotas = null, TimeProvider? time = null)
    {
        _quotas = quotas;
        _time = time ?? TimeProvider.System;
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
        var meter = RequestTimeMeter.Current = new RequestTimeMeter(_time);
        var respond = await api.HandleAsync(request, response, cancellationToken);
        response.PatchInt32(sizeAt, response.Length - SizePrefixBytes);
        // Kafka's request quota, in percent of one thread over the window: 1 % is 10 ms of busy time a second. The
        // connection is muted for the larger of it and a byte-rate throttle, as Kafka does; the response's
        // throttle_time_ms carries only the byte-rate one, as it was written before the request's time was known.
        var throttle = request.Throttle;
        if (_quotas is not null)
        {
            var requestTime = await _quotas.RecordAsync(ClientQuotaKeys.RequestPercentage, session.UserName, clientId, meter.Busy.TotalSeconds * 100, waitForQuotas: false);
            if (requestTime > throttle) throttle = requestTime;
        }
        return new HandledRequest(respond, throttle);
    }
}
