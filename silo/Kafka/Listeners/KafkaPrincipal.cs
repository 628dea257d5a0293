namespace Hub.Silo.Kafka.Listeners;

/// <summary>Kafka's principals, "User:name", as ACLs and quotas name them.</summary>
internal static class KafkaPrincipal
{
    /// <summary>Who a client is on a listener without authentication (PLAINTEXT, or SSL without a client certificate).</summary>
    public const string Anonymous = "User:ANONYMOUS";

    public static string User(string name) => "User:" + name;
}
