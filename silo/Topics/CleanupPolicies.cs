using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>What a topic's cleanup.policy ("delete", "compact", or both, comma-separated as Kafka lists them) asks for.</summary>
internal static class CleanupPolicies
{
    private const string Delete = "delete";
    private const string Compact = "compact";

    public static bool IsValid(string policy) => policy is Delete or Compact or "compact,delete" or "delete,compact";

    /// <summary>The log cleaner keeps the newest record per key (see <see cref="Hub.Silo.Cleaner.LogCleaner"/>).</summary>
    public static bool IsCompacted(TopicConfig config) => config.CleanupPolicy.Contains(Compact, StringComparison.Ordinal);

    /// <summary>retention.ms and retention.bytes delete old segments; a "compact"-only log keeps every key's newest record forever.</summary>
    public static bool IsDeletedByRetention(TopicConfig config) => config.CleanupPolicy.Contains(Delete, StringComparison.Ordinal);
}
