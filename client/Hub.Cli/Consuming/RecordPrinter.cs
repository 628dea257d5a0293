using System.Text;
using Hub.Batches;

namespace Hub.Cli.Consuming;

/// <summary>
/// Writes consumed records one per line as raw bytes (no decoding, so any encoding passes through):
/// <c>[partition:offset SEP][key SEP]value</c>, with a null key or value written as "null", as Kafka's
/// console consumer does.
/// </summary>
public sealed class RecordPrinter(Stream output, bool printKey, bool printOffset, string separator)
{
    private static readonly byte[] Null = "null"u8.ToArray();

    private readonly byte[] _separator = Encoding.UTF8.GetBytes(separator);

    public void Print(int partition, in Record record)
    {
        if (printOffset)
        {
            Span<byte> position = stackalloc byte[32]; // an int, ':' and a long
            System.Text.Unicode.Utf8.TryWrite(position, $"{partition}:{record.Offset}", out var length);
            output.Write(position[..length]);
            output.Write(_separator);
        }
        if (printKey)
        {
            WriteNullable(record.Key);
            output.Write(_separator);
        }
        WriteNullable(record.Value);
        output.WriteByte((byte)'\n');
    }

    private void WriteNullable(ReadOnlyMemory<byte>? bytes) => output.Write(bytes is { } b ? b.Span : Null);
}
