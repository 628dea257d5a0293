using System.Globalization;
using System.Text.RegularExpressions;
using Hub.Errors;

namespace Hub.Silo.Topics;

/// <summary>
/// Kafka's ConfigDef rules for a topic config's value, each giving the value's canonical form (as DescribeConfigs
/// reports it) or throwing INVALID_CONFIG with a message naming the config and the rule. As in Kafka, numbers and
/// booleans may have surrounding spaces and booleans any case.
/// </summary>
internal static partial class TopicConfigValues
{
    /// <summary>A rule: (config name, value) to the canonical value.</summary>
    public delegate string Rule(string name, string value);

    public static Rule Long(long min, long max = long.MaxValue) => (name, value) => Format(ParseLong(name, value, min, max));

    public static Rule Int(int min, int max = int.MaxValue) => (name, value) => Format(ParseLong(name, value, min, max));

    public static Rule Bool { get; } = (name, value) => ParseBoolean(name, value) ? "true" : "false";

    public static Rule Ratio { get; } = (name, value) => ParseRatio(name, value).ToString(CultureInfo.InvariantCulture);

    /// <summary>One of <paramref name="allowed"/>, case as given (Kafka's ValidString; like every string, trimmed first).</summary>
    public static Rule OneOf(params string[] allowed) => (name, value) => allowed.Contains(value.Trim(), StringComparer.Ordinal)
        ? value.Trim()
        : throw Invalid(name, value, $"must be one of {string.Join(", ", allowed)}");

    /// <summary>cleanup.policy: "delete", "compact" or both; spaces around the items go, as in Kafka's lists.</summary>
    public static Rule CleanupPolicy { get; } = (name, value) =>
    {
        var policy = string.Join(',', value.Split(',').Select(i => i.Trim()));
        return CleanupPolicies.IsValid(policy) ? policy : throw Invalid(name, value, "must be 'delete', 'compact' or both ('compact,delete')");
    };

    /// <summary>Kafka's gzip levels: its default (-1) or 1 (fastest) to 9 (smallest).</summary>
    public static Rule GzipLevel { get; } = (name, value) =>
    {
        var level = ParseLong(name, value, int.MinValue, int.MaxValue);
        return level is DefaultGzipLevel or (>= 1 and <= 9) ? Format(level) : throw Invalid(name, value, "must be -1 (gzip's default) or between 1 and 9");
    };

    /// <summary>
    /// Kafka's ThrottledReplicaListValidator: "*" (every replica) or a list of partition:broker pairs, empty by default.
    /// </summary>
    public static Rule ThrottledReplicas { get; } = (name, value) =>
    {
        var items = value.Split(',').Select(i => i.Trim()).ToArray();
        return value.Trim() == "*" || items.All(i => ReplicaPair().IsMatch(i))
            ? string.Join(',', items.Where(i => i.Length > 0))
            : throw Invalid(name, value, "must be '*' or a list of replicas as partitionId:brokerId,partitionId:brokerId,...");
    };

    /// <summary>Kafka 3.x's message.format.version values: a Kafka release ("0.10.2", "2.8", "3.0-IV1").</summary>
    public static Rule KafkaVersion { get; } = (name, value) => Version().IsMatch(value)
        ? value
        : throw Invalid(name, value, "must be a Kafka version such as 2.8 or 3.0-IV1");

    public static long ParseLong(string name, string value, long min, long max)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
                CultureInfo.InvariantCulture, out var parsed))
            throw Invalid(name, value, "must be an integer");
        if (parsed < min || parsed > max)
            throw Invalid(name, value, $"must be between {Format(min)} and {Format(max)}");
        return parsed;
    }

    public static bool ParseBoolean(string name, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw Invalid(name, value, "must be true or false"),
    };

    public static double ParseRatio(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1
            ? parsed
            : throw Invalid(name, value, "must be a number between 0 and 1");

    public static HubException Invalid(string name, string value, string rule) =>
        new(ErrorCode.InvalidConfig, $"topic config '{name}' {rule}, got '{value}'");

    /// <summary>Kafka's own gzip level for "none chosen" (java.util.zip.Deflater.DEFAULT_COMPRESSION).</summary>
    private const long DefaultGzipLevel = -1;

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^([0-9]+:[0-9]+)?$")]
    private static partial Regex ReplicaPair();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+(\.[0-9]+)?(-IV[0-9]+)?$")]
    private static partial Regex Version();
}
