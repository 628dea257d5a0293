using Hub.Quotas;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Quotas;

namespace Hub.Silo.Kafka.Apis.Quotas;

/// <summary>
/// AlterClientQuotas (key 49) v0-v1: sets and removes quota values of users and client ids. Invalid entries
/// (<see cref="ClientQuotaRules.Problem"/>, an entity type Hub doesn't keep) get INVALID_REQUEST; the valid ones are
/// stored together by the controller (unless validate_only) and hold on this silo at once, on the others within seconds.
/// </summary>
internal sealed class AlterClientQuotasApi(IGrainFactory grains, ClientQuotas quotas)
    : KafkaApi(ApiKey.AlterClientQuotas, minVersion: 0, maxVersion: 1, firstFlexibleVersion: 1)
{
    private sealed record Entry(ClientQuotaAlteration? Alteration, IReadOnlyList<(string Type, string? Name)> Named)
    {
        public ErrorCode Error { get; set; }
        public string? Message { get; set; }
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (entries, validateOnly) = Parse(request);
        var valid = entries.Where(e => e.Error == ErrorCode.None).ToArray();
        if (valid.Length > 0 && !validateOnly)
        {
            try
            {
                await grains.GetGrain<Hub.Grains.IClusterControllerGrain>(0).AlterClientQuotas(valid.Select(e => e.Alteration!).ToArray());
                quotas.Invalidate();
            }
            catch (Exception e)
            {
                foreach (var entry in valid) (entry.Error, entry.Message) = (KafkaErrors.CodeOf(e), e.Message);
            }
        }

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(entries.Count);
        foreach (var entry in entries)
        {
            response.WriteInt16((short)entry.Error);
            response.WriteNullableString(entry.Message);
            QuotaEntityCodec.Write(response, entry.Named);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private static (List<Entry> Entries, bool ValidateOnly) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var entries = new List<Entry>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            var named = QuotaEntityCodec.Read(ref reader);
            var (entity, problem) = QuotaEntityCodec.ToEntity(named);
            var ops = new List<ClientQuotaOp>();
            for (var opCount = reader.ReadNonNullArrayLength(); opCount > 0; opCount--)
            {
                ops.Add(new ClientQuotaOp(reader.ReadString(), reader.ReadFloat64(), reader.ReadBool()));
                reader.SkipTaggedFields();
            }
            reader.SkipTaggedFields();
            var alteration = entity is null ? null : new ClientQuotaAlteration(entity, ops);
            problem ??= ClientQuotaRules.Problem(alteration!);
            entries.Add(new Entry(alteration, named) { Error = problem is null ? ErrorCode.None : ErrorCode.InvalidRequest, Message = problem });
        }
        var validateOnly = reader.ReadBool();
        reader.SkipTaggedFields();
        return (entries, validateOnly);
    }
}
