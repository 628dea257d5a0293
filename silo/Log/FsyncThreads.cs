using System.Collections.Concurrent;

namespace Hub.Silo.Log;

/// <summary>
/// A few dedicated threads that run time-based fsyncs. An fsync blocks its thread in the kernel for tens of
/// milliseconds under load, and the .NET thread pool cannot tell: on a 2-core machine two fsyncs on pool threads
/// stall every grain, socket read and timer in the silo for that long, which was the end-to-end latency tail.
/// Several threads, so one slow file does not hold up the others and the journal can commit concurrent fsyncs
/// together.
/// </summary>
internal static class FsyncThreads
{
    private const int ThreadCount = 4;
    private static readonly BlockingCollection<(Action Fsync, TaskCompletionSource Done)> Queue = Start();

    /// <summary>Runs <paramref name="fsync"/> on one of the fsync threads; the task completes when it returns.</summary>
    public static Task Run(Action fsync)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((fsync, done));
        return done.Task;
    }

    private static BlockingCollection<(Action, TaskCompletionSource)> Start()
    {
        var queue = new BlockingCollection<(Action, TaskCompletionSource)>();
        for (var i = 0; i < ThreadCount; i++)
        {
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
            }) { IsBackground = true, Name = $"hub-fsync-{i}" }.Start();
        }
        return queue;
    }
}
