using Hub.Cli.CommandLine;
using Hub.Client;

namespace Hub.Cli.Producing;

/// <summary>Waits for a producer's buffered records at the end of a command, including one stopped by Ctrl-C.</summary>
public static class ProducerFlush
{
    /// <summary>After Ctrl-C the records already read still get this long to be acknowledged.</summary>
    public static readonly TimeSpan AfterInterrupt = TimeSpan.FromSeconds(10);

    public static async Task FlushAsync(HubProducer producer, CancellationToken ct)
    {
        if (!ct.IsCancellationRequested)
        {
            await producer.FlushAsync(ct);
            return;
        }
        using var deadline = new CancellationTokenSource(AfterInterrupt);
        try
        {
            await producer.FlushAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new CliException($"interrupted, and buffered records were not acknowledged within {AfterInterrupt.TotalSeconds:F0} s");
        }
    }
}
