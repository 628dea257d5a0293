using Hub.Errors;
using Hub.Silo.Storage;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Log;

/// <summary>
/// This silo's log directory (every partition replica's log lives under it) and whether it still works. Every log
/// changes its files through <see cref="Io"/>; the first I/O error any of them meets takes the directory offline
/// for the rest of the silo's life, as Kafka takes a failed log directory offline: its replicas stop taking writes
/// and serving reads (KAFKA_STORAGE_ERROR), a write that was not acknowledged yet never is, and the controller moves
/// leadership to replicas on other brokers. A restart with a working disk recovers the logs as after a crash, and
/// the replicas catch up and rejoin. Thread-safe.
/// </summary>
internal sealed partial class LogDirectory
{
    private readonly TaskCompletionSource _offline = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private string _cause = "";

    /// <param name="faults">Fault injection's switch for this directory's disk; null outside fault-injection runs.</param>
    public LogDirectory(string path, IoFaultSwitch? faults, ILogger<LogDirectory> logger)
    {
        Path = path;
        _logger = logger;
        Io = new DiskIo(faults, Fail);
    }

    public string Path { get; }

    /// <summary>How every log in this directory changes its files; an I/O error there takes the directory offline.</summary>
    public DiskIo Io { get; }

    public bool IsOffline => _offline.Task.IsCompleted;

    /// <summary>Completes when the directory goes offline (never, while it works).</summary>
    public Task Offline => _offline.Task;

    /// <summary>What a replica in this directory answers once it is offline.</summary>
    public HubException StorageError(string replica) =>
        new(ErrorCode.KafkaStorageError, $"{replica}: the log directory {Path} is offline after an I/O error ({_cause}); its partitions are served by other brokers");

    private void Fail(IOException error)
    {
        if (IsOffline) return;
        _cause = error.Message;
        if (_offline.TrySetResult()) LogOffline(_logger, error, Path);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The log directory {Directory} is offline after an I/O error: its partitions stop here and fail over until this silo restarts with a working disk")]
    private static partial void LogOffline(ILogger logger, Exception error, string directory);
}
