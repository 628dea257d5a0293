using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Quotas;

namespace Hub.Silo.Kafka.Apis.Quotas;

/// <summary>
/// DescribeClientQuotas (key 48) v0-v1: the quotas of the entities that pass the request's filter
/// (<see cref="ClientQuotaRules.Matches"/>), as the controller stores them. A filter on another entity type than
/// user and client-id, or an unknown match type, is INVALID_REQUEST.
/// </summary>
internal sealed class DescribeClientQuotasApi(IGrainFactory grains)
    : KafkaApi(ApiKey.DescribeClientQuotas, minVersion: 0, maxVersion: 1, firstFlexibleVersion: 1)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (components, strict, problem) = Parse(request);
        response.WriteInt32(0); // throttle time
        if (problem is not null)
        {
            response.WriteInt16((short)ErrorCode.InvalidRequest);
            response.WriteNullableString(problem);
            response.WriteArrayLength(-1);
            response.WriteEmptyTaggedFields();
            return true;
        }
        try
        {
            var quotas = (await grains.GetGrain<Hub.Grains.IClusterControllerGrain>(0).DescribeClientQuotas())
                .Where(q => ClientQuotaRules.Matches(q.Entity, components, strict)).ToArray();
            response.WriteInt16((short)ErrorCode.None);
            response.WriteNullableString(null);
            response.WriteArrayLength(quotas.Length);
            foreach (var quota in quotas)
            {
                QuotaEntityCodec.Write(response, QuotaEntityCodec.Parts(quota.Entity));
                response.WriteArrayLength(quota.Values.Count);
                foreach (var (key, value) in quota.Values)
                {
                    response.WriteString(key);
                    response.WriteFloat64(value);
                    response.WriteEmptyTaggedFields();
                }
                response.WriteEmptyTaggedFields();
            }
        }
        catch (Exception e)
        {
            response.WriteInt16((short)KafkaErrors.CodeOf(e));
            response.WriteNullableString(e.Message);
            response.WriteArrayLength(-1);
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private static (List<QuotaFilterComponent> Components, bool Strict, string? Problem) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var components = new List<QuotaFilterComponent>();
        string? problem = null;
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            var type = reader.ReadString();
            var match = (QuotaFilterMatch)reader.ReadInt8();
            var name = reader.ReadNullableString();
            reader.SkipTaggedFields();
            if (type is not (QuotaEntityCodec.UserType or QuotaEntityCodec.ClientIdType)) problem ??= $"entity type '{type}' is not one Hub keeps quotas for";
            else if (!Enum.IsDefined(match)) problem ??= $"match type {(sbyte)match} is unknown";
            else components.Add(new QuotaFilterComponent(type == QuotaEntityCodec.UserType, match, name));
        }
        var strict = reader.ReadBool();
        reader.SkipTaggedFields();
        return (components, strict, problem);
    }
}
