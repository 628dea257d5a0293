using System.Collections.Concurrent;
using Hub.Partitions;
using Orleans.TestingHost;

namespace Hub.Tests.Support;

/// <summary>
/// Counts the grain calls a silo receives, by method name, and the bytes its partition fetches return: for tests
/// that bound what one request makes a silo do. Added to a test cluster as a configurator; one cluster at a time
/// may use it (the counts are static, as Orleans makes the instances).
/// </summary>
public sealed class GrainCallCounter : ISiloConfigurator, IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, int> Calls = new();
    private static long _fetchedBytes;

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIncomingGrainCallFilter<GrainCallCounter>();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        Calls.AddOrUpdate(context.MethodName, 1, (_, n) => n + 1);
        await context.Invoke();
        if (context.Result is FetchResult result) Interlocked.Add(ref _fetchedBytes, result.Records.Length);
    }

    /// <summary>Calls of methods of this name since the last <see cref="Reset"/>.</summary>
    public static int Count(params string[] methods) => methods.Sum(m => Calls.GetValueOrDefault(m));

    /// <summary>Record bytes the partitions' <c>Fetch</c> calls returned since the last <see cref="Reset"/>.</summary>
    public static long FetchedBytes => Interlocked.Read(ref _fetchedBytes);

    public static void Reset()
    {
        Calls.Clear();
        Interlocked.Exchange(ref _fetchedBytes, 0);
    }
}
