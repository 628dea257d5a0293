namespace Hub.Security;

/// <summary>
/// The cluster's ACLs (one activation, key 0, with durable state), as Kafka's CreateAcls, DescribeAcls and
/// DeleteAcls manage them. A change is stored before it is answered; silos see it within about a second.
/// </summary>
public interface IAclGrain : IGrainWithIntegerKey
{
    /// <summary>One result per binding: created, or INVALID_REQUEST saying what was wrong (an existing ACL is not an error).</summary>
    Task<IReadOnlyList<AclResult>> Create(IReadOnlyList<AclBinding> bindings);

    Task<IReadOnlyList<AclBinding>> Describe(AclBindingFilter filter);

    /// <summary>One result per filter, with the ACLs it deleted.</summary>
    Task<IReadOnlyList<AclResult>> Delete(IReadOnlyList<AclBindingFilter> filters);
}
