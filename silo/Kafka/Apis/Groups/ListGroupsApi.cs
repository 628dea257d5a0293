using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// ListGroups (key 16) v0-v5 onto <see cref="IGroupDirectoryGrain.ListGroups"/>; v4 filters by state, v5 by group type
/// (classic or consumer, KIP-848), both case-insensitive as in Kafka.
/// </summary>
internal sealed class ListGroupsApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.ListGroups, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 3)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var states = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (version >= 4)
        {
            var count = reader.ReadNonNullArrayLength();
            for (var i = 0; i < count; i++) states.Add(reader.ReadString());
        }
        var types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (version >= 5)
        {
            var count = reader.ReadNonNullArrayLength();
            for (var i = 0; i < count; i++) types.Add(reader.ReadString());
        }
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        Hub.Groups.GroupListing[] groups = [];
        try
        {
            groups = await grains.GetGrain<IGroupDirectoryGrain>(0).ListGroups();
        }
        catch (Exception e)
        {
            error = KafkaErrors.CodeOf(e);
        }
        if (states.Count > 0) groups = groups.Where(g => states.Contains(g.StateName)).ToArray();
        if (types.Count > 0) groups = groups.Where(g => types.Contains(g.GroupType)).ToArray();
        // Kafka's rule: DESCRIBE on the cluster lists every group, else only the groups one may DESCRIBE.
        if (!await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.Describe))
        {
            var describable = new List<Hub.Groups.GroupListing>();
            foreach (var group in groups)
                if (await authorizer.AllowsGroupAsync(request.Session, AclOperation.Describe, group.GroupId)) describable.Add(group);
            groups = describable.ToArray();
        }

        if (version >= 1) response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteArrayLength(groups.Length);
        foreach (var group in groups)
        {
            response.WriteString(group.GroupId);
            response.WriteString(group.ProtocolType);
            if (version >= 4) response.WriteString(group.StateName);
            if (version >= 5) response.WriteString(group.GroupType);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
