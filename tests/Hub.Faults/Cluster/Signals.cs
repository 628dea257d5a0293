using System.Runtime.InteropServices;

namespace Hub.Faults.Cluster;

/// <summary>POSIX signals to a process by id: .NET only sends SIGKILL itself, the faults need stop and continue too.</summary>
internal static class Signals
{
    // Linux numbers (the same on x86-64 and arm64).
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/>; false when the process is gone.</summary>
    public static bool Send(int processId, int signal) => kill(processId, signal) == 0;

    /// <summary>True while a process with this id exists (signal 0 checks without sending anything).</summary>
    public static bool IsAlive(int processId) => kill(processId, 0) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
