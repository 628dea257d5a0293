using Hub.Security;
using Hub.Silo.Security;

namespace Hub.Tests.Security;

public sealed class AclRulesTests
{
    private const string Alice = "User:alice";
    private const string Host = "10.0.0.1";

    private static AclBinding Acl(AclOperation operation, string topic = "orders", AclPermission permission = AclPermission.Allow,
        AclPatternType pattern = AclPatternType.Literal, string principal = Alice, string host = "*", AclResourceType type = AclResourceType.Topic) =>
        new(type, topic, pattern, principal, host, operation, permission);

    private static bool Allows(AclOperation operation, string topic, params AclBinding[] acls) =>
        AclRules.Allows(acls, Alice, Host, operation, AclResourceType.Topic, topic);

    [Fact]
    public void No_matching_acl_denies() => Assert.False(Allows(AclOperation.Read, "orders"));

    [Fact]
    public void An_allow_grants_its_operation_and_all_grants_every_one()
    {
        Assert.True(Allows(AclOperation.Read, "orders", Acl(AclOperation.Read)));
        Assert.False(Allows(AclOperation.Write, "orders", Acl(AclOperation.Read)));
        Assert.True(Allows(AclOperation.Delete, "orders", Acl(AclOperation.All)));
    }

    [Theory]
    [InlineData(AclOperation.Read)]
    [InlineData(AclOperation.Write)]
    [InlineData(AclOperation.Delete)]
    [InlineData(AclOperation.Alter)]
    public void Read_write_delete_and_alter_imply_describe(AclOperation granted) =>
        Assert.True(Allows(AclOperation.Describe, "orders", Acl(granted)));

    [Fact]
    public void Alter_configs_implies_describe_configs_but_not_the_reverse()
    {
        Assert.True(Allows(AclOperation.DescribeConfigs, "orders", Acl(AclOperation.AlterConfigs)));
        Assert.False(Allows(AclOperation.AlterConfigs, "orders", Acl(AclOperation.DescribeConfigs)));
    }

    [Fact]
    public void A_deny_wins_over_any_allow_but_only_for_its_own_operation()
    {
        AclBinding[] acls = [Acl(AclOperation.All, "*"), Acl(AclOperation.Read, "secret", AclPermission.Deny)];
        Assert.False(Allows(AclOperation.Read, "secret", acls));
        Assert.True(Allows(AclOperation.Write, "secret", acls));
        Assert.True(Allows(AclOperation.Read, "orders", acls));
        Assert.False(Allows(AclOperation.Describe, "secret", [.. acls, Acl(AclOperation.All, "secret", AclPermission.Deny)]));
    }

    [Fact]
    public void Prefixed_acls_cover_names_starting_with_the_prefix_and_literal_star_covers_every_name()
    {
        var prefixed = Acl(AclOperation.Write, "alice-", pattern: AclPatternType.Prefixed);
        Assert.True(Allows(AclOperation.Write, "alice-orders", prefixed));
        Assert.False(Allows(AclOperation.Write, "bob-orders", prefixed));
        Assert.False(Allows(AclOperation.Write, "alice", prefixed));
        Assert.True(Allows(AclOperation.Write, "anything", Acl(AclOperation.Write, "*")));
        Assert.False(Allows(AclOperation.Write, "alice-orders", Acl(AclOperation.Write, "alice-")), "a literal ACL is not a prefix");
    }

    [Fact]
    public void Principals_and_hosts_match_exactly_or_by_wildcard()
    {
        Assert.True(Allows(AclOperation.Read, "orders", Acl(AclOperation.Read, principal: "User:*")));
        Assert.False(Allows(AclOperation.Read, "orders", Acl(AclOperation.Read, principal: "User:bob")));
        Assert.True(Allows(AclOperation.Read, "orders", Acl(AclOperation.Read, host: Host)));
        Assert.False(Allows(AclOperation.Read, "orders", Acl(AclOperation.Read, host: "10.0.0.2")));
        Assert.False(Allows(AclOperation.Read, "orders", Acl(AclOperation.Read, type: AclResourceType.Group)));
    }

    [Fact]
    public void An_unknown_host_is_allowed_only_by_acls_for_every_host_and_denied_by_a_deny_for_any_host()
    {
        bool FromUnknownHost(params AclBinding[] acls) => AclRules.Allows(acls, Alice, null, AclOperation.Read, AclResourceType.Topic, "orders");
        Assert.True(FromUnknownHost(Acl(AclOperation.Read)));
        Assert.False(FromUnknownHost(Acl(AclOperation.Read, host: Host)));
        Assert.False(FromUnknownHost(Acl(AclOperation.Read), Acl(AclOperation.Read, permission: AclPermission.Deny, host: "10.0.0.2")));
        Assert.False(AclRules.AllowsSome([Acl(AclOperation.Write, host: Host)], Alice, null, AclOperation.Write, AclResourceType.Topic));
    }

    [Fact]
    public void Some_resource_of_a_type_allows_unless_every_resource_is_denied()
    {
        var writeOne = Acl(AclOperation.Write, "alice-orders");
        Assert.True(AclRules.AllowsSome([writeOne], Alice, Host, AclOperation.Write, AclResourceType.Topic));
        Assert.False(AclRules.AllowsSome([Acl(AclOperation.Read)], Alice, Host, AclOperation.Write, AclResourceType.Topic));
        Assert.False(AclRules.AllowsSome([writeOne, Acl(AclOperation.Write, "*", AclPermission.Deny)], Alice, Host, AclOperation.Write, AclResourceType.Topic));
    }

    [Fact]
    public void Some_resource_is_allowed_unless_denies_cover_every_allowed_name_as_kafka_decides_it()
    {
        bool AllowsSome(params AclBinding[] acls) => AclRules.AllowsSome(acls, Alice, Host, AclOperation.Write, AclResourceType.Topic);
        var denyWrite = AclPermission.Deny;
        // A literal allow: covered by a deny of its name or of a prefix of it.
        Assert.False(AllowsSome(Acl(AclOperation.Write, "orders"), Acl(AclOperation.Write, "orders", denyWrite)));
        Assert.False(AllowsSome(Acl(AclOperation.Write, "orders"), Acl(AclOperation.Write, "ord", denyWrite, AclPatternType.Prefixed)));
        Assert.True(AllowsSome(Acl(AclOperation.Write, "orders"), Acl(AclOperation.Write, "refunds", denyWrite)));
        // A prefixed allow: covered only by a deny of a prefix of its prefix, not by a narrower one.
        Assert.False(AllowsSome(Acl(AclOperation.Write, "orders-", pattern: AclPatternType.Prefixed), Acl(AclOperation.Write, "orders", denyWrite, AclPatternType.Prefixed)));
        Assert.True(AllowsSome(Acl(AclOperation.Write, "orders-", pattern: AclPatternType.Prefixed), Acl(AclOperation.Write, "orders-eu", denyWrite, AclPatternType.Prefixed)));
        Assert.True(AllowsSome(Acl(AclOperation.Write, "orders-", pattern: AclPatternType.Prefixed), Acl(AclOperation.Write, "orders-eu", denyWrite)));
        // Denies of everything, and denies of other operations.
        Assert.False(AllowsSome(Acl(AclOperation.Write, "orders"), Acl(AclOperation.All, "", denyWrite, AclPatternType.Prefixed)));
        Assert.True(AllowsSome(Acl(AclOperation.Write, "orders"), Acl(AclOperation.Read, "orders", denyWrite)));
        // One allow of two covered: the other still allows.
        Assert.True(AllowsSome(Acl(AclOperation.Write, "orders"), Acl(AclOperation.Write, "refunds"), Acl(AclOperation.Write, "orders", denyWrite)));
    }

    [Theory]
    [InlineData(AclResourceType.Any, "orders", AclPatternType.Literal, AclOperation.Read, AclPermission.Allow, "User:a", "resource type")]
    [InlineData(AclResourceType.Topic, "orders", AclPatternType.Match, AclOperation.Read, AclPermission.Allow, "User:a", "pattern type")]
    [InlineData(AclResourceType.Topic, "orders", AclPatternType.Literal, AclOperation.Any, AclPermission.Allow, "User:a", "operation")]
    [InlineData(AclResourceType.Topic, "orders", AclPatternType.Literal, AclOperation.Read, AclPermission.Any, "User:a", "permission")]
    [InlineData(AclResourceType.Topic, "", AclPatternType.Literal, AclOperation.Read, AclPermission.Allow, "User:a", "empty")]
    [InlineData(AclResourceType.Cluster, "mine", AclPatternType.Literal, AclOperation.Alter, AclPermission.Allow, "User:a", "kafka-cluster")]
    [InlineData(AclResourceType.Topic, "orders", AclPatternType.Literal, AclOperation.Read, AclPermission.Allow, "alice", "TYPE:NAME")]
    public void Refuses_bindings_kafka_refuses(AclResourceType type, string name, AclPatternType pattern, AclOperation operation, AclPermission permission, string principal, string why) =>
        Assert.Contains(why, AclRules.Invalid(new AclBinding(type, name, pattern, principal, "*", operation, permission)));

    [Fact]
    public void A_match_filter_finds_every_acl_that_applies_to_a_name()
    {
        AclBinding[] acls = [Acl(AclOperation.Read, "alice-orders"), Acl(AclOperation.Read, "*"), Acl(AclOperation.Read, "alice-", pattern: AclPatternType.Prefixed), Acl(AclOperation.Read, "bob")];
        var match = new AclBindingFilter(AclResourceType.Topic, "alice-orders", AclPatternType.Match, null, null, AclOperation.Any, AclPermission.Any);
        Assert.Equal(acls[..3], acls.Where(a => AclRules.Matches(match, a)));
        var literal = match with { PatternType = AclPatternType.Literal };
        Assert.Equal([acls[0]], acls.Where(a => AclRules.Matches(literal, a)));
        Assert.Equal(acls, acls.Where(a => AclRules.Matches(AclBindingFilter.All, a)));
    }
}
