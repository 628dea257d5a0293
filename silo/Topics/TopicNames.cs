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
            if (!IsAllowed(c)) throw Invalid(name, $"'{c}' is not allowed (use letters, digits, '.', '_' and '-')");
        }
    }

    /// <summary>Whether a name given as UTF-8 bytes follows the rules (a valid name is ASCII, one byte per character).</summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Length > MaxLength || utf8.SequenceEqual("."u8) || utf8.SequenceEqual(".."u8)) return false;
        foreach (var b in utf8)
        {
            if (!IsAllowed((char)b)) return false;
        }
        return true;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    private static HubException Invalid(string? name, string why) =>
        new(ErrorCode.InvalidTopic, $"invalid topic name '{name}': {why}");
}
