using Hub.Groups;

namespace Hub.Grains;

/// <summary>
/// The set of consumer groups that exist (key 0, durable): for ListGroups and for the periodic offsets
/// expiry. Groups add themselves when they first get members or offsets and remove themselves when deleted
/// or expired.
/// </summary>
public interface IGroupDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Every group with its protocol type and state, by group id.</summary>
    Task<GroupListing[]> ListGroups();
}
