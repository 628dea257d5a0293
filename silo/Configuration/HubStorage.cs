namespace Hub.Silo.Configuration;

/// <summary>Name of the grain storage provider that holds Hub's durable metadata (topics, later group offsets).</summary>
public static class HubStorage
{
    public const string Name = "hub";
}
