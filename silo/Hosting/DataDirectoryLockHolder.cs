using Hub.Silo.Configuration;
using Hub.Silo.Storage;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Hosting;

/// <summary>
/// Takes the <see cref="DataDirectoryLock"/> first thing when the silo starts, before anything reads or writes the
/// data directory, and lets it go last when the silo stops (so a restart in the same process finds it free).
/// </summary>
internal sealed class DataDirectoryLockHolder(IOptions<HubSiloOptions> options) : ILifecycleParticipant<ISiloLifecycle>
{
    private DataDirectoryLock? _lock;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DataDirectoryLockHolder), ServiceLifecycleStage.First, Acquire, Release);

    private Task Acquire(CancellationToken cancellationToken)
    {
        _lock = DataDirectoryLock.Acquire(options.Value.DataDirectory);
        return Task.CompletedTask;
    }

    private Task Release(CancellationToken cancellationToken)
    {
        _lock?.Dispose();
        _lock = null;
        return Task.CompletedTask;
    }
}
