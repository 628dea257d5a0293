using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Hub.Faults.Workloads;

/// <summary>
/// kafkajs 2.2 (node): tests/kafkajs/faults-producer.js, an idempotent producer (acks -1) per partition, run as a
/// child process that takes one JSON line per record on stdin and answers one per acknowledgement or failure. A
/// process that dies fails its unanswered records and is started afresh for the next one.
/// </summary>
public sealed class KafkajsRecordSender : IRecordSender
{
    /// <summary>
    /// A process that died is started again only this long after, so a script that cannot run (node broken, a
    /// bad argument) fails records instead of being started for each of them.
    /// </summary>
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long the script may take to answer what it holds once its input is closed.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private static readonly string ScriptDirectory = Path.Combine(RepositoryRoot.Path, "tests", "kafkajs");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ClusterEndpoints _cluster;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _unanswered = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    // Under _lock: the running (or last) process and when it was seen to exit.
    private Process? _process;
    private long _exitedAt;

    // The script's last line on stderr, for the failures it explains.
    private string? _lastError;

    private KafkajsRecordSender(ClusterEndpoints cluster) => _cluster = cluster;

    /// <summary>Why this workload cannot run here, or null.</summary>
    public static string? MissingReason =>
        Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "kafkajs")) ? null
            : $"kafkajs is not installed in {ScriptDirectory}: run infra/install-test-deps.sh";

    public static Task<IRecordSender> ConnectAsync(ClusterEndpoints cluster, CancellationToken stop) =>
        Task.FromResult<IRecordSender>(new KafkajsRecordSender(cluster));

    public Task<long> SendAsync(int partition, string value)
    {
        var answer = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var line = JsonSerializer.Serialize(new { partition, value });
        lock (_lock)
        {
            var process = _process is { HasExited: false } running ? running : _process = Restart();
            _unanswered[value] = answer;
            try
            {
                process.StandardInput.WriteLine(line);
                process.StandardInput.Flush();
            }
            catch (IOException)
            {
                // The process died just now; its reader fails what it held, this record never reached it.
                _unanswered.TryRemove(value, out _);
                throw;
            }
        }
        return answer.Task;
    }

    public async ValueTask DisposeAsync()
    {
        Process? process;
        lock (_lock) process = _process;
        if (process is null) return;
        try
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(ExitTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }

    private Process Restart()
    {
        if (_process is not null && Stopwatch.GetElapsedTime(_exitedAt) < RestartDelay)
            throw new InvalidOperationException($"the kafkajs process exited just now: {Volatile.Read(ref _lastError) ?? "nothing on stderr"}");
        return Start();
    }

    private Process Start()
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ScriptDirectory,
        };
        start.ArgumentList.Add("faults-producer.js");
        start.ArgumentList.Add(string.Join(',', _cluster.KafkaBootstrap));
        start.ArgumentList.Add(_cluster.Topic);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data)) Volatile.Write(ref _lastError, e.Data);
        };
        process.BeginErrorReadLine();
        _ = Task.Run(() => ReadAnswersAsync(process));
        return process;
    }

    private async Task ReadAnswersAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (Parse(line) is not { } answer) continue;
            if (answer.Value is null || !_unanswered.TryRemove(answer.Value, out var waiting)) continue;
            if (answer.Error is null && long.TryParse(answer.Offset, out var offset)) waiting.TrySetResult(offset);
            else waiting.TrySetException(new InvalidOperationException(answer.Error ?? $"kafkajs answered no offset: {line}"));
        }
        // The process ended: whatever it held goes unanswered by it. Records sent to a newer process stay waiting.
        await process.WaitForExitAsync();
        lock (_lock)
        {
            if (!ReferenceEquals(_process, process)) return;
            _exitedAt = Stopwatch.GetTimestamp();
            foreach (var value in _unanswered.Keys)
                if (_unanswered.TryRemove(value, out var waiting))
                    waiting.TrySetException(new InvalidOperationException(
                        $"the kafkajs process exited ({process.ExitCode}) before answering: {Volatile.Read(ref _lastError) ?? "nothing on stderr"}"));
        }
    }

    /// <summary>An answer line, or null for anything else the script printed.</summary>
    private static Answer? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<Answer>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Answer(string? Value, string? Offset, string? Error);
}
