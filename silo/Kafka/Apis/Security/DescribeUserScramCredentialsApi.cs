using Hub.Silo.Kafka.Authorization;
using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// DescribeUserScramCredentials (key 50) v0: the named users' SCRAM mechanisms and iteration counts (every user's
/// when none is named), never their keys; an unknown user gets RESOURCE_NOT_FOUND, one named twice DUPLICATE_RESOURCE.
/// </summary>
internal sealed class DescribeUserScramCredentialsApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DescribeUserScramCredentials, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var count = reader.ReadArrayLength();
        List<string>? users = count < 0 ? null : [];
        for (var i = 0; i < count; i++)
        {
            users!.Add(reader.ReadString());
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();

        var (error, message, results) = (ErrorCode.None, (string?)null, (IReadOnlyList<UserScramCredentials>)[]);
        try
        {
            await authorizer.RequireClusterAsync(request.Session, AclOperation.Describe);
            results = await grains.GetGrain<IUserCredentialsGrain>(0).Describe(users);
        }
        catch (Exception e)
        {
            (error, message) = (KafkaErrors.CodeOf(e), e.Message);
        }

        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteNullableString(message);
        response.WriteArrayLength(results.Count);
        foreach (var user in results)
        {
            response.WriteString(user.User);
            response.WriteInt16((short)user.Error);
            response.WriteNullableString(user.Message);
            response.WriteArrayLength(user.Credentials.Count);
            foreach (var credential in user.Credentials)
            {
                response.WriteInt8((sbyte)credential.Mechanism);
                response.WriteInt32(credential.Iterations);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
