using Hub.Silo.Storage;
using Hub.Tests.Support;

namespace Hub.Tests.Storage;

/// <summary>The fault-injection contract: the marker file fails the disk while it exists.</summary>
public sealed class FailIoMarkerWatcherTests : TempDirectoryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_switch_is_on_while_the_marker_file_exists()
    {
        var faults = new IoFaultSwitch();
        using var watcher = new FailIoMarkerWatcher(PathOf("fail-io"), faults, TimeProvider.System);
        await watcher.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(PathOf("fail-io"), "");
        await WaitUntil(() => faults.IsFailing);
        File.Delete(PathOf("fail-io"));
        await WaitUntil(() => !faults.IsFailing);

        await watcher.StopAsync(CancellationToken.None);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition()) await Task.Delay(FailIoMarkerWatcher.CheckInterval, timeout.Token);
    }
}
