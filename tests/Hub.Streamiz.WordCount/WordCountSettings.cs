using Microsoft.Extensions.Configuration;
using Streamiz.Kafka.Net;

namespace Hub.Streamiz.WordCount;

/// <summary>What one word-count instance runs against, from its command line.</summary>
public sealed record WordCountSettings(string BootstrapServers, string ApplicationId, string Input, string Output, ProcessingGuarantee Guarantee, string StateDir)
{
    public static WordCountSettings From(IConfiguration config)
    {
        string Required(string key) => config[key] ?? throw new ArgumentException($"missing --{key}");
        var guarantee = Required(nameof(Guarantee));
        return new WordCountSettings(Required(nameof(BootstrapServers)), Required(nameof(ApplicationId)), Required(nameof(Input)), Required(nameof(Output)),
            Enum.TryParse<ProcessingGuarantee>(guarantee, out var parsed)
                ? parsed
                : throw new ArgumentException($"--Guarantee must be {ProcessingGuarantee.AT_LEAST_ONCE} or {ProcessingGuarantee.EXACTLY_ONCE}, got '{guarantee}'"),
            Required(nameof(StateDir)));
    }

    /// <summary>The command line <see cref="From"/> reads.</summary>
    public IReadOnlyList<string> Arguments() =>
    [
        $"--{nameof(BootstrapServers)}", BootstrapServers, $"--{nameof(ApplicationId)}", ApplicationId, $"--{nameof(Input)}", Input,
        $"--{nameof(Output)}", Output, $"--{nameof(Guarantee)}", Guarantee.ToString(), $"--{nameof(StateDir)}", StateDir,
    ];
}
