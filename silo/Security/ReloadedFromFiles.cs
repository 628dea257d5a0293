using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Security;

/// <summary>
/// Something loaded from files (a certificate with its key, or the trusted CAs) that is loaded again when one of the
/// files changes on disk, so operators rotate certificates without restarting a silo. The files are looked at (their
/// last-write time and content, and for a symbolic link what it points at) at most once per check interval, when the
/// value is asked for, which a TLS handshake does: polling rather than a FileSystemWatcher, because a watcher misses
/// the atomic rename (a symbolic link swapped) by which Kubernetes updates a mounted secret. A new version that does
/// not load (half written, the key not matching the certificate, not PEM at all) is logged and the last good one
/// kept; it is tried again once the files change again.
/// </summary>
internal sealed partial class ReloadedFromFiles<T> where T : class
{
    private readonly string _what;
    private readonly IReadOnlyList<string> _files;
    private readonly Func<T> _load;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Loaded _current;
    private long _lastCheck;
    private string? _rejected;
    private int _checking;

    private sealed record Loaded(T Value, string Stamp);

    /// <summary>Loads the value once now: a failure here throws, as a silo must not start without its certificate.</summary>
    /// <param name="what">What the files hold, for log lines ("the Kafka listener SSL's certificate").</param>
    public ReloadedFromFiles(string what, IEnumerable<string> files, Func<T> load, TimeSpan checkInterval, TimeProvider time, ILogger logger)
    {
        _what = what;
        _files = files.Distinct(StringComparer.Ordinal).ToList();
        _load = load;
        _checkInterval = checkInterval;
        _time = time;
        _logger = logger;
        var stamp = Stamp();
        _current = new Loaded(load(), stamp);
        _lastCheck = time.GetTimestamp();
    }

    /// <summary>The value from the files as they were at the latest check; checks them first when the interval has passed.</summary>
    public T Current
    {
        get
        {
            CheckIfDue();
            return Volatile.Read(ref _current).Value;
        }
    }

    private void CheckIfDue()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastCheck)) < _checkInterval) return;
        // One caller checks; handshakes that come meanwhile use what is loaded rather than wait for the files.
        if (Interlocked.Exchange(ref _checking, 1) == 1) return;
        try
        {
            Volatile.Write(ref _lastCheck, _time.GetTimestamp());
            var stamp = Stamp();
            if (stamp == _current.Stamp || stamp == _rejected) return;
            try
            {
                Volatile.Write(ref _current, new Loaded(_load(), stamp));
                _rejected = null;
                LogReloaded(_logger, _what, string.Join(", ", _files));
            }
            catch (Exception e)
            {
                _rejected = stamp;
                LogKept(_logger, _what, string.Join(", ", _files), e.Message);
            }
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    /// <summary>
    /// What changes when a file is rewritten, replaced by a rename, or its symbolic link re-pointed: the file it
    /// resolves to, its last-write time and a hash of its content. The hash because the kernel stamps files with a
    /// coarse clock (a few milliseconds) and a rotated PEM certificate often has the old one's length, so time and
    /// length alone can miss a quick second write; the files are a few kilobytes, read once per check interval.
    /// </summary>
    private string Stamp() => string.Join("|", _files.Select(path =>
    {
        try
        {
            var file = new FileInfo(path);
            var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            target.Refresh();
            if (!target.Exists) return $"{path}:missing";
            var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(target.FullName)));
            return $"{target.FullName}:{target.LastWriteTimeUtc.Ticks}:{hash}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path}:unreadable"; // a dangling link, a file being replaced, no permission: loading will say what is wrong
        }
    }));

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded {What} from {Files}: new connections use it")]
    private static partial void LogReloaded(ILogger logger, string what, string files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Files} changed but {What} could not be loaded from them ({Problem}); keeping the one loaded before")]
    private static partial void LogKept(ILogger logger, string what, string files, string problem);
}
