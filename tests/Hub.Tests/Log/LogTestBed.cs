using Hub.Silo.Log;
using Hub.Silo.Storage;
using Hub.Tests.Support;
using Hub.Topics;

namespace Hub.Tests.Log;

/// <summary>A temporary log directory with a manual clock and a capturing logger; opens <see cref="SegmentLog"/>s there.</summary>
internal sealed class LogTestBed : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>Defaults for tests: no time-based flush or roll or retention unless a test asks.</summary>
    public static readonly TopicConfig Config = TopicConfig.Default with
    {
        FlushMs = long.MaxValue,
        SegmentMs = long.MaxValue,
        RetentionMs = -1,
    };

    public string Directory => Path.Combine(_temp.Path, "partition");

    public ManualTimeProvider Clock { get; } = new();

    public CapturingLogger Logger { get; } = new();

    public SegmentLog Open(TopicConfig? config = null, string? directory = null, TimeSpan? producerIdExpiration = null, DiskIo? io = null) =>
        SegmentLog.Open(directory ?? Directory, config ?? Config, Clock, Logger, producerIdExpiration, io);

    /// <summary>The active (last) segment's log file.</summary>
    public string ActiveLogFile(string? directory = null) =>
        System.IO.Directory.GetFiles(directory ?? Directory, "*.log").Order(StringComparer.Ordinal).Last();

    public void Dispose() => _temp.Dispose();
}
