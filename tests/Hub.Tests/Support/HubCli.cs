using Hub.Tests.Cluster;

namespace Hub.Tests.Support;

/// <summary>The built <c>hub</c> CLI, run as a user runs it against a silo process.</summary>
internal static class HubCli
{
    /// <summary>One run: a process start and a connection, seconds on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <c>hub ARGUMENTS --gateway</c> the silo's; it must exit 0.</summary>
    public static async Task<ExternalProcess.Result> RunAsync(SiloProcess silo, params string[] arguments)
    {
        var run = await ExternalProcess.RunAsync("dotnet", null, Timeout,
            [SiloProcess.BuiltDll("client/Hub.Cli", "hub"), .. arguments, "--gateway", $"127.0.0.1:{silo.GatewayPort}"]);
        Assert.True(run.ExitCode == 0, run.Errors);
        return run;
    }
}
