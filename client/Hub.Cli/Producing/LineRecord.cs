using System.Text;
using Hub.Batches;
using Hub.Client;

namespace Hub.Cli.Producing;

/// <summary>Turns one line of <c>hub produce</c>'s input into a record.</summary>
public static class LineRecord
{
    /// <summary>
    /// With a separator, the text before its first occurrence is the key and the rest the value; a line without
    /// the separator has no key. Without a separator the whole line is the value.
    /// </summary>
    public static (string? Key, string Value) Split(string line, string? keySeparator)
    {
        if (string.IsNullOrEmpty(keySeparator)) return (null, line);
        var at = line.IndexOf(keySeparator, StringComparison.Ordinal);
        return at < 0 ? (null, line) : (line[..at], line[(at + keySeparator.Length)..]);
    }

    public static ProducerRecord ToRecord(string line, string? keySeparator, IReadOnlyList<RecordHeader>? headers, int? partition)
    {
        var (key, value) = Split(line, keySeparator);
        return new ProducerRecord
        {
            Key = key is null ? null : Encoding.UTF8.GetBytes(key),
            Value = Encoding.UTF8.GetBytes(value),
            Headers = headers,
            Partition = partition,
        };
    }
}
