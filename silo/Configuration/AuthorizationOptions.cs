namespace Hub.Silo.Configuration;

/// <summary>Whether requests are checked against the cluster's ACLs (configuration section "Hub:Authorization").</summary>
public sealed class AuthorizationOptions
{
    /// <summary>
    /// Checks every Kafka request against the ACLs (Kafka's authorizer.class.name): a principal no ACL allows is
    /// refused. Off by default, so ./run.sh stays open: then everyone may do everything and the ACL APIs answer
    /// SECURITY_DISABLED.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Principals allowed everything, separated by semicolons (Kafka's super.users): "User:admin;User:CN=ops".</summary>
    public string SuperUsers { get; set; } = "";
}
