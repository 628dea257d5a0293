using Hub.Tests.Cluster;

namespace Hub.Tests.Support;

/// <summary>The <c>hub</c> CLI run as a user runs it (the built tool, a process of its own) against a silo process.</summary>
internal static class HubCli
{
    /// <summary>One run: a process start and a connection, seconds on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Past the CLI's 10 s default, which a loaded CI machine has missed, inside <see cref="Timeout"/>.</summary>
    private const string ConnectTimeoutSeconds = "25";

    /// <summary>Runs <c>hub ARGUMENTS --gateway SILO</c> with <paramref name="input"/> on stdin; it must exit 0.</summary>
    public static async Task<ExternalProcess.Result> RunAsync(SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments)
    {
        var run = await ExternalProcess.RunAsync("dotnet", input, timeout,
            [SiloProcess.BuiltDll("client/Hub.Cli", "hub"), .. arguments, "--gateway", $"127.0.0.1:{silo.GatewayPort}", "--connect-timeout", ConnectTimeoutSeconds]);
        Assert.True(run.ExitCode == 0, $"hub {string.Join(' ', arguments)}: {run.Errors}");
        return run;
    }

    /// <summary>The stdout lines of a successful <see cref="RunAsync"/>.</summary>
    public static async Task<string[]> OutputLinesAsync(SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments) =>
        (await RunAsync(silo, input, timeout, arguments)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
