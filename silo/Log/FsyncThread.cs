using System.Collections.Concurrent;

namespace Hub.Silo.Log;

/// <summary>
/// A dedicated thread that runs time-based fsyncs, one after another. An fsync blocks its thread in the kernel
/// for tens of milliseconds under load, and the .NET thread pool cannot tell: on a 2-core machine two fsyncs on
/// pool threads stalled every grain, socket read and timer in the silo for that long, which was the end-to-end
/// latency tail. One thread rather than several: concurrent fsyncs crowd the disk's queue, and an append waits
/// while its file's last page is being written back. Four files appended at 85 MB/s and fsynced every 100 ms
/// saw appends stall up to 22-32 ms with an fsync thread per file, 6-11 ms with one thread taking them in turn
/// (a C test of the same syscalls, side by side). With many busy partitions the fsyncs then come less often than
/// flush.ms asks, each partition's as soon as the ones before it are done.
/// </summary>
internal static class FsyncThread
{
    private static readonly BlockingCollection<(Action Fsync, TaskCompletionSource Done)> Queue = Start();

    /// <summary>Queues <paramref name="fsync"/> for the fsync thread; the task completes when it has run.</summary>
    public static Task Run(Action fsync)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((fsync, done));
        return done.Task;
    }

    private static BlockingCollection<(Action, TaskCompletionSource)> Start()
    {
        var queue = new BlockingCollection<(Action, TaskCompletionSource)>();
        new Thread(() =>
        {
            foreach (var (fsync, done) in queue.GetConsumingEnumerable())
            {
                try
                {
                    fsync();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }) { IsBackground = true, Name = "hub-fsync" }.Start();
        return queue;
    }
}
