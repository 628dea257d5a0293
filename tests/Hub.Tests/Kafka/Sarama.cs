using System.Security.Cryptography;
using System.Text.Json;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>A fact that runs only where Go and Debian's sarama sources are installed (infra/install-test-deps.sh installs both).</summary>
public sealed class SaramaFactAttribute : FactAttribute
{
    public SaramaFactAttribute()
    {
        if (Sarama.MissingReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that runs only where Go and Debian's sarama sources are installed.</summary>
public sealed class SaramaTheoryAttribute : TheoryAttribute
{
    public SaramaTheoryAttribute()
    {
        if (Sarama.MissingReason is { } reason) Skip = reason;
    }
}

/// <summary>
/// Runs tests/go/src/hubsarama (sarama 1.22.1, Debian's golang-github-shopify-sarama-dev, nobody's here), built with
/// Debian's Go in GOPATH mode once per test run: the binary is kept in the test output, named by its source's hash.
/// </summary>
public static class Sarama
{
    // Debian installs Go libraries' sources here; GOPATH mode finds sarama and its dependencies in it.
    private const string DebianGopath = "/usr/share/gocode";

    // Above the program's own 20 s bound per step (three steps in group mode), so it fails with its own message first.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // A cold build compiles sarama and DataDog's zstd (cgo) from source: about 5 s alone, far more on a loaded machine.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);

    private static readonly string GoPath = Path.Combine(SiloProcess.RepositoryRoot, "tests", "go");

    private static readonly string Source = Path.Combine(GoPath, "src", "hubsarama", "main.go");

    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    /// <summary>Why the sarama tests can't run here; null when they can.</summary>
    public static string? MissingReason { get; } =
        !ExternalProcess.IsOnPath("go") ? "go is not installed and infra/install-test-deps.sh could not install it"
        : !Directory.Exists(Path.Combine(DebianGopath, "src", "github.com", "Shopify", "sarama"))
            ? "sarama is not installed: run infra/install-test-deps.sh (golang-github-shopify-sarama-dev)"
        : null;

    /// <summary>Ten records, then two members of a group in turn, marking as they read and committing as they leave.</summary>
    public static async Task<GroupResume> GroupAsync(string bootstrap, string topic, string group) =>
        await RunAsync<GroupResume>("group", bootstrap, topic, group);

    /// <summary><paramref name="count"/> records to partition 0 compressed with <paramref name="codec"/>, read back: their values.</summary>
    public static async Task<string[]> RoundTripAsync(string bootstrap, string topic, string codec, int count) =>
        (await RunAsync<RoundTrip>("roundtrip", bootstrap, topic, codec, count.ToString(System.Globalization.CultureInfo.InvariantCulture))).Values;

    private sealed record RoundTrip(string[] Values);

    private static async Task<T> RunAsync<T>(string mode, params string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(await Binary.Value, null, Timeout, [mode, .. arguments]);
        Assert.True(result.ExitCode == 0, $"hubsarama {mode} failed ({result.ExitCode}):\n{result.Errors}");
        return JsonSerializer.Deserialize<T>(result.Output, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"hubsarama {mode} printed no result");
    }

    private static async Task<string> BuildAsync()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Source)))[..16];
        var directory = Path.Combine(AppContext.BaseDirectory, "go");
        var binary = Path.Combine(directory, $"hubsarama-{hash}");
        if (File.Exists(binary)) return binary;

        Directory.CreateDirectory(directory);
        // Built under a temporary name and moved into place, so a killed build never leaves a binary that looks finished.
        var partial = $"{binary}.{Environment.ProcessId}";
        var build = await ExternalProcess.RunAsync("go", null, BuildTimeout, ["build", "-o", partial, "hubsarama"], GoPath,
            new Dictionary<string, string>
            {
                ["GO111MODULE"] = "off",
                ["GOPATH"] = $"{DebianGopath}:{GoPath}",
                // The build cache sits with the binary: a test run needs no writable home directory.
                ["GOCACHE"] = Path.Combine(directory, "cache"),
                // Everything comes from Debian's packages: Go must not try to download anything.
                ["GOPROXY"] = "off",
            });
        Assert.True(build.ExitCode == 0, $"go build hubsarama failed ({build.ExitCode}):\n{build.Errors}");
        File.Move(partial, binary, overwrite: true);
        return binary;
    }
}
