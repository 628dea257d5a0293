using System.Text.Json;

namespace Hub.Tests.Kafka;

/// <summary>
/// One of Kafka's message definitions (a request, response or header JSON, vendored in Schemas/): the versions it
/// has, which of them are flexible, its fields, and the structs its fields share (commonStructs).
/// </summary>
internal sealed record MessageSchema(
    string Name,
    short? ApiKey,
    string Type,
    VersionRange ValidVersions,
    VersionRange FlexibleVersions,
    IReadOnlyList<MessageField> Fields,
    IReadOnlyDictionary<string, IReadOnlyList<MessageField>> CommonStructs)
{
    /// <summary>The fields of the struct a field holds: declared in place or among the common structs.</summary>
    public IReadOnlyList<MessageField>? StructFields(MessageField field) =>
        field.Fields ?? CommonStructs.GetValueOrDefault(field.ElementType);

    public static MessageSchema Parse(string json)
    {
        // The definitions carry // comments (their license header, version notes), which strict JSON lacks.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var common = root.TryGetProperty("commonStructs", out var structs)
            ? structs.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => MessageField.ParseAll(s, "fields")!)
            : [];
        return new MessageSchema(
            root.GetProperty("name").GetString()!,
            root.TryGetProperty("apiKey", out var key) ? key.GetInt16() : null,
            root.GetProperty("type").GetString()!,
            VersionRange.Parse(root.GetProperty("validVersions").GetString()),
            VersionRange.Parse(root.GetProperty("flexibleVersions").GetString()),
            MessageField.ParseAll(root, "fields")!,
            common);
    }
}
