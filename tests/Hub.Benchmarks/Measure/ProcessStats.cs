namespace Hub.Benchmarks.Measure;

/// <summary>
/// CPU time and resident memory of another process (a silo), read from /proc, so the silo needs no
/// instrumentation of its own and is measured as it runs in production.
/// </summary>
public static class ProcessStats
{
    private static readonly double TicksPerSecond = ClockTicksPerSecond();

    /// <summary>User plus system CPU time of every thread of the process so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        // /proc/<pid>/stat: the command name (field 2) is in parentheses and may hold spaces, so count from its end.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15)
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Resident set size in bytes (VmRSS).</summary>
    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    /// <summary>The one-minute load average: every figure is printed next to it, since the machine is shared.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static double ClockTicksPerSecond()
    {
        // USER_HZ is 100 on every Linux the runtime supports; getconf confirms it where available.
        try
        {
            using var getconf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true });
            var text = getconf!.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.TryParse(text, out var hz) && hz > 0 ? hz : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
