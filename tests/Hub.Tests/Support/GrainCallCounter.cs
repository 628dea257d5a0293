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

    /// <summary>Names a test's own resources start with, so calls other tests make beside it are not counted (see <see cref="CountNaming"/>).</summary>
    public const string Marker = "counted-";

    private static int _naming;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        Calls.AddOrUpdate(context.MethodName, 1, (_, n) => n + 1);
        // By the interface called through (an inherited method's declaring type would hide a derived interface's calls).
        Calls.AddOrUpdate($"{context.InterfaceType}|{context.MethodName}", 1, (_, n) => n + 1);
        if (Names(context.Request)) Interlocked.Increment(ref _naming);
        await context.Invoke();
        if (context.Result is FetchResult result) Interlocked.Add(ref _fetchedBytes, result.Records.Length);
    }

    /// <summary>Calls of methods of this name since the last <see cref="Reset"/>.</summary>
    public static int Count(params string[] methods) => methods.Sum(m => Calls.GetValueOrDefault(m));

    /// <summary>Calls of these methods made through the grain interface named <paramref name="interfaceName"/> since the last <see cref="Reset"/>.</summary>
    public static int CountThrough(string interfaceName, params string[] methods) =>
        Calls.Where(c => c.Key.Split('|') is [var type, var method] && type.EndsWith(interfaceName, StringComparison.Ordinal) && methods.Contains(method)).Sum(c => c.Value);

    /// <summary>Record bytes the partitions' <c>Fetch</c> calls returned since the last <see cref="Reset"/>.</summary>
    public static long FetchedBytes => Interlocked.Read(ref _fetchedBytes);

    /// <summary>Calls since the last <see cref="Reset"/> with an argument (a string, or a string array's element) starting with <see cref="Marker"/>.</summary>
    public static int CountNaming => Volatile.Read(ref _naming);

    private static bool Names(Orleans.Serialization.Invocation.IInvokable request)
    {
        for (var i = 0; i < request.GetArgumentCount(); i++)
        {
            switch (request.GetArgument(i))
            {
                case string name when name.StartsWith(Marker, StringComparison.Ordinal):
                case string[] names when names.Any(n => n.StartsWith(Marker, StringComparison.Ordinal)):
                    return true;
            }
        }
        return false;
    }

    public static void Reset()
    {
        Calls.Clear();
        Interlocked.Exchange(ref _naming, 0);
        Interlocked.Exchange(ref _fetchedBytes, 0);
    }
}
