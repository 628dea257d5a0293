namespace Hub.Silo.Configuration;

/// <summary>
/// Test-only hooks for injecting faults into a live silo (configuration section "Hub:FaultInjection"). Off in
/// production: with <see cref="Enabled"/> false none of them exists.
/// </summary>
public sealed class FaultInjectionOptions
{
    /// <summary>The marker file that fails the silo's log directory: present, every log write and fsync fails.</summary>
    public const string FailIoMarker = "fail-io";

    /// <summary>
    /// Turns the hooks on. Then, while <c>&lt;DataDirectory&gt;/fault-injection/fail-io</c> exists, every write and
    /// fsync of a partition log fails with an I/O error, as a failing disk's would.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Written when the silo killed itself at <see cref="CleanerCrashStep"/>, so the restarted silo does not again.</summary>
    public const string CleanerCrashedMarker = "cleaner-crashed";

    /// <summary>
    /// With <see cref="Enabled"/>: the silo kills itself (SIGKILL) right after this step of its log cleaner's first
    /// segment swap, as a crash there would, once (<see cref="CleanerCrashedMarker"/> in the fault-injection directory
    /// records it), so a test can check the restarted silo recovers the log.
    /// </summary>
    public Cleaner.SwapStep? CleanerCrashStep { get; set; }
}
