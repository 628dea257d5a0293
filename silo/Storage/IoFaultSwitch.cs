namespace Hub.Silo.Storage;

/// <summary>
/// Fault injection's switch for a disk: while on, every write and fsync through a <see cref="DiskIo"/> given this
/// switch fails. Flipped by <see cref="FailIoMarkerWatcher"/> in a silo run with fault injection on, and directly
/// by tests. Read on every write, so it is one volatile field.
/// </summary>
internal sealed class IoFaultSwitch
{
    private volatile bool _failing;

    public bool IsFailing => _failing;

    public void Set(bool failing) => _failing = failing;
}
