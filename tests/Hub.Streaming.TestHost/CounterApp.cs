namespace Hub.Streaming.TestHost;

/// <summary>Names the counter application and its tests agree on.</summary>
public static class CounterApp
{
    public const string ClusterId = "counter-app";
    public const string StreamProvider = "numbers-stream";
    public const string Topic = "numbers";
    public const string Storage = "counters";
}
