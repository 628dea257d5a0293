namespace Hub.Faults.Runner;

/// <summary>The run's progress, stamped with the time since it started: on stderr and in run.log beside the history.</summary>
internal sealed class RunLog(Func<TimeSpan> now, string file) : IDisposable
{
    private readonly StreamWriter _file = new(file, append: true) { AutoFlush = true };
    private readonly Lock _lock = new();

    public void Write(string message)
    {
        var line = $"[{now():hh\\:mm\\:ss\\.f}] {message}";
        lock (_lock)
        {
            Console.Error.WriteLine(line);
            _file.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }
}
