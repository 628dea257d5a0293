using System.CommandLine;
using System.CommandLine.Parsing;

namespace Hub.Cli.CommandLine;

/// <summary>Repeatable "k=v" options such as <c>--config retention.ms=1000</c> and <c>--header source=cli</c>.</summary>
public static class KeyValueArguments
{
    /// <summary>An option that may be given many times, each value "key=value"; a malformed one is a parse error.</summary>
    public static Option<IReadOnlyList<KeyValuePair<string, string>>> CreateOption(string name, string description) =>
        new(name)
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = ParseTokens,
            DefaultValueFactory = _ => [],
        };

    /// <summary>Splits "key=value" at the first '='; the value may be empty or contain more '='s, the key may not be empty.</summary>
    public static bool TryParse(string text, out KeyValuePair<string, string> pair)
    {
        var equals = text.IndexOf('=');
        pair = equals > 0 ? new(text[..equals], text[(equals + 1)..]) : default;
        return equals > 0;
    }

    /// <summary>The pairs as a dictionary; a key given twice is an error rather than a silent overwrite.</summary>
    public static IReadOnlyDictionary<string, string> ToDictionary(IReadOnlyList<KeyValuePair<string, string>> pairs, string what)
    {
        var dictionary = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (!dictionary.TryAdd(key, value)) throw new CliException($"{what} '{key}' is given more than once");
        }
        return dictionary;
    }

    private static IReadOnlyList<KeyValuePair<string, string>> ParseTokens(ArgumentResult result)
    {
        var pairs = new List<KeyValuePair<string, string>>(result.Tokens.Count);
        foreach (var token in result.Tokens)
        {
            if (TryParse(token.Value, out var pair)) pairs.Add(pair);
            else result.AddError($"'{token.Value}' is not of the form key=value");
        }
        return pairs;
    }
}
