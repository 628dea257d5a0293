using Hub.Tests.Cluster;

namespace Hub.Tests.Support;

/// <summary>The <c>hub</c> CLI run as a user runs it (the built tool, a process of its own) against a silo process.</summary>
internal static class HubCli
{
    /// <summary>Runs <c>hub ARGUMENTS --gateway SILO</c> with <paramref name="input"/> on stdin; its stdout lines, once it succeeded.</summary>
    public static async Task<string[]> RunAsync(SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments)
    {
        var run = await ExternalProcess.RunAsync("dotnet", input, timeout,
            [SiloProcess.BuiltDll("client/Hub.Cli", "hub"), .. arguments, "--gateway", $"127.0.0.1:{silo.GatewayPort}"]);
        Assert.True(run.ExitCode == 0, $"hub {string.Join(' ', arguments)}: {run.Errors}");
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
