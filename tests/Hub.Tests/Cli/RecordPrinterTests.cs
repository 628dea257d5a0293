using System.Text;
using Record = Hub.Batches.Record;
using Hub.Cli.Consuming;

namespace Hub.Tests.Cli;

public sealed class RecordPrinterTests
{
    private static readonly Record Sample = new(Offset: 42, Timestamp: 0, Key: "k"u8.ToArray(), Value: "v ☕"u8.ToArray(), HeaderCount: 0, HeaderBytes: default);

    [Theory]
    [InlineData(false, false, "v ☕\n")]
    [InlineData(true, false, "k\tv ☕\n")]
    [InlineData(false, true, "3:42\tv ☕\n")]
    [InlineData(true, true, "3:42\tk\tv ☕\n")]
    public void Prints_the_fields_asked_for(bool printKey, bool printOffset, string expected) =>
        Assert.Equal(expected, Print(Sample, printKey, printOffset, "\t"));

    [Fact]
    public void Null_key_and_value_print_as_null()
    {
        var tombstone = Sample with { Key = null, Value = null };

        Assert.Equal("null | null\n", Print(tombstone, printKey: true, printOffset: false, " | "));
    }

    private static string Print(Record record, bool printKey, bool printOffset, string separator)
    {
        using var output = new MemoryStream();
        new RecordPrinter(output, printKey, printOffset, separator).Print(3, record);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
