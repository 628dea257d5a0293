using Hub.Silo.Kafka.Authorization;
using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// AlterUserScramCredentials (key 51) v0: sets and removes SCRAM credentials, one result per user named (see
/// <see cref="IUserCredentialsGrain.Alter"/> for the rules). The client sends a salt and salted password, never the
/// password; the cluster stores only the keys derived from them.
/// </summary>
internal sealed class AlterUserScramCredentialsApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.AlterUserScramCredentials, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var deletions = new List<ScramCredentialDeletion>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            deletions.Add(new ScramCredentialDeletion(reader.ReadString(), (ScramMechanism)reader.ReadInt8()));
            reader.SkipTaggedFields();
        }
        var upsertions = new List<ScramCredentialUpsertion>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            var user = reader.ReadString();
            var mechanism = (ScramMechanism)reader.ReadInt8();
            var iterations = reader.ReadInt32();
            var salt = reader.ReadBytes().ToArray();
            var saltedPassword = reader.ReadBytes().ToArray();
            upsertions.Add(new ScramCredentialUpsertion(user, mechanism, iterations, salt, saltedPassword));
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();

        IReadOnlyList<UserCredentialResult> results;
        try
        {
            await authorizer.RequireClusterAsync(request.Session, AclOperation.Alter);
            results = await grains.GetGrain<IUserCredentialsGrain>(0).Alter(deletions, upsertions);
        }
        catch (Exception e)
        {
            var error = KafkaErrors.CodeOf(e);
            results = deletions.Select(d => d.User).Concat(upsertions.Select(u => u.User)).Distinct(StringComparer.Ordinal)
                .Select(user => new UserCredentialResult(user, error, e.Message)).ToList();
        }

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(results.Count);
        foreach (var result in results)
        {
            response.WriteString(result.User);
            response.WriteInt16((short)result.Error);
            response.WriteNullableString(result.Message);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
