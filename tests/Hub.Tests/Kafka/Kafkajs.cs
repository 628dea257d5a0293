using System.Text.Json;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>A fact that runs only where node and kafkajs are installed (infra/install-test-deps.sh installs both).</summary>
public sealed class KafkajsFactAttribute : FactAttribute
{
    public KafkajsFactAttribute()
    {
        if (Kafkajs.MissingReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that runs only where node and kafkajs are installed.</summary>
public sealed class KafkajsTheoryAttribute : TheoryAttribute
{
    public KafkajsTheoryAttribute()
    {
        if (Kafkajs.MissingReason is { } reason) Skip = reason;
    }
}

/// <summary>
/// Runs the scenario scripts in tests/kafkajs (kafkajs 2.2, the node client, which nobody here wrote): each takes
/// the bootstrap broker and its arguments and prints one JSON result.
/// </summary>
public static class Kafkajs
{
    // Above the scripts' own 45 s bound (tests/kafkajs/hub.js), so a stuck script exits with its own message and kafkajs' errors first.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly string ScriptDirectory = Path.Combine(SiloProcess.RepositoryRoot, "tests", "kafkajs");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Why the kafkajs tests can't run here; null when they can.</summary>
    public static string? MissingReason { get; } =
        !ExternalProcess.IsOnPath("node") ? "node is not installed and infra/install-test-deps.sh could not install it"
        : !Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "kafkajs")) ? "kafkajs is not installed: run infra/install-test-deps.sh"
        : null;

    /// <summary>Runs tests/kafkajs/<paramref name="script"/>.js against <paramref name="bootstrap"/> and reads its JSON result.</summary>
    public static async Task<T> RunAsync<T>(string script, string bootstrap, params object[] arguments)
    {
        var result = await RunProcessAsync(null, script, bootstrap, arguments);
        Assert.True(result.ExitCode == 0, $"kafkajs {script} failed ({result.ExitCode}):\n{result.Errors}");
        return JsonSerializer.Deserialize<T>(result.Output, Json) ?? throw new InvalidDataException($"kafkajs {script} printed no result");
    }

    /// <summary>
    /// Runs a script against a TLS or SASL listener; <paramref name="security"/> is kafkajs' settings as tests/kafkajs/hub.js
    /// reads them ({"ca": path, "sasl": {"mechanism", "username", "password"}}). The process's result, failed or not.
    /// </summary>
    public static Task<ExternalProcess.Result> RunProcessAsync(object? security, string script, string bootstrap, params object[] arguments) =>
        ExternalProcess.RunAsync("node", null, Timeout,
            [$"{script}.js", bootstrap, .. arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)!)],
            ScriptDirectory,
            security is null ? null : new Dictionary<string, string> { ["HUB_KAFKAJS_SECURITY"] = JsonSerializer.Serialize(security, Json) });

    /// <summary>A message as the scripts print it: bytes in base64, null as null; kafkajs prints offsets and timestamps as strings.</summary>
    public sealed record Message(int Partition, string Offset, string Timestamp, string? Key, string? Value, Header[] Headers)
    {
        public string? KeyText => Text(Key);

        public string? ValueText => Text(Value);

        private static string? Text(string? base64) => base64 is null ? null : System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
    }

    public sealed record Header(string Key, string? Value);
}
