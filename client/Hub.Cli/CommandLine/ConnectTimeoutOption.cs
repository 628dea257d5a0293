using System.CommandLine;
using Hub.Client;

namespace Hub.Cli.CommandLine;

/// <summary>
/// The global <c>--connect-timeout SECONDS</c> option: how long a command keeps trying to reach a gateway before it
/// says the cluster can't be reached. The SDK's default suits a person at a prompt; scripts that start a cluster and
/// run commands at once, or a loaded machine, may want longer.
/// </summary>
public static class ConnectTimeoutOption
{
    /// <summary>An hour: longer is a hang, not a wait.</summary>
    public const int MaxSeconds = 3600;

    public static Option<int?> Create()
    {
        var option = new Option<int?>("--connect-timeout")
        {
            Description = $"Seconds to keep trying to reach a gateway (default {new HubClientOptions().ConnectTimeout.TotalSeconds:F0})",
            Recursive = true,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } seconds && seconds is < 1 or > MaxSeconds)
                result.AddError($"--connect-timeout must be 1 to {MaxSeconds} seconds, got {seconds}");
        });
        return option;
    }
}
