using System.Diagnostics;

namespace Hub.Tests.Cluster;

/// <summary>A private Redis server (infra/redis.sh) on a free port: the membership and metadata store of a real cluster.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly string _directory;

    private RedisProcess(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(string directory)
    {
        var redis = new RedisProcess(directory, SiloProcess.FreePort());
        await RunScriptAsync("start", directory, $"{redis.Port}");
        return redis;
    }

    /// <summary>Stops the server (SIGTERM; its append-only file keeps what it acknowledged), as an outage of the store.</summary>
    public Task StopAsync() => RunScriptAsync("stop", _directory);

    /// <summary>Starts the stopped server again on its port and data.</summary>
    public Task RestartAsync() => RunScriptAsync("start", _directory, $"{Port}");

    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task RunScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(SiloProcess.RepositoryRoot, "infra", "redis.sh"))
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"infra/redis.sh {string.Join(' ', arguments)} failed: {await errors}");
    }
}
