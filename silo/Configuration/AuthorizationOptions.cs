namespace Hub.Silo.Configuration;

/// <summary>Whether requests and SDK calls are checked against the cluster's ACLs (configuration section "Hub:Authorization").</summary>
public sealed class AuthorizationOptions
{
    /// <summary>
    /// Checks every Kafka request and every call through the Orleans gateway (SDK, CLI, stream provider) against the
    /// ACLs (Kafka's authorizer.class.name): a principal no ACL allows is
    /// refused. Off by default, so ./run.sh stays open: then everyone may do everything and the ACL APIs answer
    /// SECURITY_DISABLED.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Principals allowed everything, separated by semicolons (Kafka's super.users): "User:admin;User:CN=ops".</summary>
    public string SuperUsers { get; set; } = "";

    /// <summary>
    /// A SCRAM user each silo creates as it starts when the cluster has no credential for it, with the password in
    /// <see cref="BootstrapPasswordFile"/> (Kafka's kafka-storage format --add-scram): how the first administrator
    /// exists before anyone may create users. List it in <see cref="SuperUsers"/>; an existing user is left as it is.
    /// </summary>
    public string? BootstrapUser { get; set; }

    /// <summary>A file holding <see cref="BootstrapUser"/>'s password (its first line), so no password sits in the configuration.</summary>
    public string? BootstrapPasswordFile { get; set; }
}
