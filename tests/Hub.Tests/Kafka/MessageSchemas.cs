namespace Hub.Tests.Kafka;

/// <summary>The vendored Kafka message definitions (Schemas/*.json, embedded in the test assembly), by API key.</summary>
internal static class MessageSchemas
{
    private const string ResourcePrefix = "KafkaSchemas.";

    private static readonly Lazy<IReadOnlyList<MessageSchema>> All = new(() =>
    {
        var assembly = typeof(MessageSchemas).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return MessageSchema.Parse(reader.ReadToEnd());
            })
            .ToArray();
    });

    public static MessageSchema? Request(short apiKey) => All.Value.SingleOrDefault(s => s.ApiKey == apiKey && s.Type == "request");

    public static MessageSchema? Response(short apiKey) => All.Value.SingleOrDefault(s => s.ApiKey == apiKey && s.Type == "response");

    public static MessageSchema ResponseHeader => All.Value.Single(s => s.Name == "ResponseHeader");
}
