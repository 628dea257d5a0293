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

    public async ValueTask DisposeAsync() => await RunScriptAsync("stop", _directory);

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
