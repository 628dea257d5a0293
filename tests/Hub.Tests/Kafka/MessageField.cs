using System.Text.Json;

namespace Hub.Tests.Kafka;

/// <summary>
/// One field of a Kafka message definition: its type ("int32", "string", "[]Partition", a struct name...), the
/// versions it is in, nullable in, or tagged in, and, for a struct or array of structs declared in place, its fields.
/// </summary>
internal sealed record MessageField(
    string Name,
    string Type,
    VersionRange Versions,
    VersionRange NullableVersions,
    VersionRange TaggedVersions,
    int? Tag,
    string? Default,
    IReadOnlyList<MessageField>? Fields)
{
    public bool IsArray => Type.StartsWith("[]");

    /// <summary>The element type of an array, else the type itself.</summary>
    public string ElementType => IsArray ? Type[2..] : Type;

    public bool IsTaggedIn(short version) => Tag is not null && TaggedVersions.Contains(version);

    public static MessageField Parse(JsonElement json) => new(
        json.GetProperty("name").GetString()!,
        json.GetProperty("type").GetString()!,
        VersionRange.Parse(json.GetProperty("versions").GetString()),
        VersionRange.Parse(Text(json, "nullableVersions")),
        VersionRange.Parse(Text(json, "taggedVersions")),
        json.TryGetProperty("tag", out var tag) ? Number(tag) : null,
        json.TryGetProperty("default", out var value) ? value.ToString() : null,
        ParseAll(json, "fields"));

    public static IReadOnlyList<MessageField>? ParseAll(JsonElement json, string property) =>
        json.TryGetProperty(property, out var fields) ? fields.EnumerateArray().Select(Parse).ToArray() : null;

    /// <summary>A number, which a few definitions write as a string ("tag": "0").</summary>
    private static int Number(JsonElement json) => json.ValueKind == JsonValueKind.String ? int.Parse(json.GetString()!) : json.GetInt32();

    private static string? Text(JsonElement json, string property) =>
        json.TryGetProperty(property, out var value) ? value.GetString() : null;
}
