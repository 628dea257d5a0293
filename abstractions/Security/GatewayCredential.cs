namespace Hub.Security;

/// <summary>
/// Where an SDK client's user name and password travel with each grain call through the Orleans gateway: Orleans'
/// RequestContext, under these keys. The silo checks them against the user's SCRAM credential (as SASL/PLAIN on a
/// Kafka listener is checked), names the call's principal <c>User:NAME</c> and removes them before the grain runs.
/// </summary>
public static class GatewayCredential
{
    public const string UserKey = "hub-user";

    public const string PasswordKey = "hub-password";

    /// <summary>
    /// A transactional producer's id, sent with its appends: a transactional batch needs WRITE on it, as a Kafka
    /// Produce request's transactional_id does.
    /// </summary>
    public const string TransactionalIdKey = "hub-transactional-id";
}
