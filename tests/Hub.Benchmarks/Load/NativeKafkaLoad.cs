using System.Diagnostics;
using System.Globalization;
using Hub.Benchmarks.Measure;

namespace Hub.Benchmarks.Load;

/// <summary>
/// Produce and consume load through librdkafka's C API: Native/rdkafka_load.c, which bench.sh builds. It runs
/// as a process of its own and is measured from the outside, between its "start" and "done" lines: wall time,
/// its CPU (/proc) and the silo's. Its settings are in the C file, beside the reasons for them.
/// </summary>
public static class NativeKafkaLoad
{
    /// <param name="codec">librdkafka's compression.codec (none, gzip, snappy, lz4, zstd).</param>
    /// <param name="payloads">A file of values of <paramref name="recordSize"/> bytes one after another, sent in turn; one random value without.</param>
    public static Task<LoadResult> ProduceAsync(string driver, string bootstrap, string topic, long records, int recordSize, int[] siloPids,
        string codec = "none", string? payloads = null) =>
        RunAsync(driver, ["produce", bootstrap, topic, $"{records}", $"{recordSize}", codec, .. payloads is null ? Array.Empty<string>() : [payloads]], siloPids);

    /// <summary>Reads <paramref name="records"/> records from the start of partitions 0..partitions-1 (assigned, no group).</summary>
    public static Task<LoadResult> ConsumeAsync(string driver, string bootstrap, string topic, int partitions, long records, int[] siloPids) =>
        RunAsync(driver, ["consume", bootstrap, topic, $"{partitions}", $"{records}"], siloPids);

    private static async Task<LoadResult> RunAsync(string driver, string[] arguments, int[] siloPids)
    {
        var start = new ProcessStartInfo(driver) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {driver}");
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            if (await process.StandardOutput.ReadLineAsync(timeout.Token) != "start") throw await FailedAsync(process, errors);
            var measurement = Measurement.StartOther(process.Id, siloPids);
            // "done RECORDS BYTES SECONDS RECORDS/S": the driver's own timing is for people; the rate here is this clock's.
            var done = (await process.StandardOutput.ReadLineAsync(timeout.Token))?.Split(' ');
            if (done is not ["done", var records, var bytes, ..]) throw await FailedAsync(process, errors);
            // Read while the driver waits for its stdin to close, so its CPU time is that of the run alone.
            return measurement.Stop(long.Parse(records, CultureInfo.InvariantCulture), long.Parse(bytes, CultureInfo.InvariantCulture));
        }
        finally
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) process.Kill();
        }
    }

    private static async Task<InvalidOperationException> FailedAsync(Process process, Task<string> errors)
    {
        process.StandardInput.Close(); // a driver that is still running exits, and its stderr ends
        var reason = await errors.WaitAsync(TimeSpan.FromSeconds(10));
        return new InvalidOperationException($"rdkafka_load {string.Join(' ', process.StartInfo.ArgumentList)} failed: {reason.Trim()}");
    }
}
