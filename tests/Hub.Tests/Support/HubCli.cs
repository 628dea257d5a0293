using Hub.Tests.Cluster;

namespace Hub.Tests.Support;

/// <summary>The <c>hub</c> CLI run as a user runs it (the built tool, a process of its own) against a silo process.</summary>
internal static class HubCli
{
    /// <summary>One run: a process start and a connection, seconds on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Past the CLI's 10 s default, which a loaded CI machine has missed, inside <see cref="Timeout"/>.</summary>
    public const string ConnectTimeoutSeconds = "25";

    /// <summary>A user the CLI runs as (HUB_USER and HUB_PASSWORD), for a silo with authorization on.</summary>
    public sealed record User(string Name, string Password);

    /// <summary>Runs <c>hub ARGUMENTS --gateway SILO</c> with <paramref name="input"/> on stdin; it must exit 0.</summary>
    public static Task<ExternalProcess.Result> RunAsync(SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments) =>
        RunAsAsync(null, silo, input, timeout, arguments);

    /// <summary>As <see cref="RunAsync"/>, as <paramref name="user"/> (null: no user).</summary>
    public static async Task<ExternalProcess.Result> RunAsAsync(User? user, SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments)
    {
        var environment = user is null ? null : new Dictionary<string, string> { ["HUB_USER"] = user.Name, ["HUB_PASSWORD"] = user.Password };
        var run = await TryRunAsync(silo, environment, input, timeout, ConnectTimeoutSeconds, arguments);
        Assert.True(run.ExitCode == 0, $"hub {string.Join(' ', arguments)}: {run.Errors}");
        return run;
    }

    /// <summary>
    /// Runs <c>hub ARGUMENTS --gateway SILO --connect-timeout SECONDS</c> with <paramref name="environment"/> and
    /// <paramref name="input"/> on stdin, however it exits: for runs expected to fail, or to set what
    /// <see cref="RunAsAsync"/> does not.
    /// </summary>
    public static Task<ExternalProcess.Result> TryRunAsync(SiloProcess silo, IReadOnlyDictionary<string, string>? environment, string? input, TimeSpan timeout,
        string connectTimeoutSeconds, params string[] arguments) =>
        ExternalProcess.RunAsync("dotnet", input, timeout,
            [SiloProcess.BuiltDll("client/Hub.Cli", "hub"), .. arguments, "--gateway", $"127.0.0.1:{silo.GatewayPort}", "--connect-timeout", connectTimeoutSeconds],
            environment: environment);

    /// <summary>The stdout lines of a successful <see cref="RunAsync"/>.</summary>
    public static Task<string[]> OutputLinesAsync(SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments) =>
        OutputLinesAsAsync(null, silo, input, timeout, arguments);

    public static async Task<string[]> OutputLinesAsAsync(User? user, SiloProcess silo, string? input, TimeSpan timeout, params string[] arguments) =>
        (await RunAsAsync(user, silo, input, timeout, arguments)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
