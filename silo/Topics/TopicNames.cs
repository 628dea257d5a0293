using Hub.Errors;

namespace Hub.Silo.Topics;

/// <summary>Kafka's topic name rules: 1-249 of [a-zA-Z0-9._-], and not "." or "..".</summary>
internal static class TopicNames
{
    public const int MaxLength = 249;

    public static void Validate(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw Invalid(name, "it is empty");
        if (name.Length > MaxLength) throw Invalid(name, $"it is longer than {MaxLength} characters");
        if (name is "." or "..") throw Invalid(name, "'.' and '..' are reserved");
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                throw Invalid(name, $"'{c}' is not allowed (use letters, digits, '.', '_' and '-')");
        }
    }

    private static HubException Invalid(string? name, string why) =>
        new(ErrorCode.InvalidTopic, $"invalid topic name '{name}': {why}");
}
