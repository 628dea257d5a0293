using System.Text;
using Hub.Batches;
using Hub.Cli.Producing;

namespace Hub.Tests.Cli;

public sealed class LineRecordTests
{
    [Theory]
    [InlineData("k:v", ":", "k", "v")]
    [InlineData("k:v:w", ":", "k", "v:w")]
    [InlineData(":v", ":", "", "v")]
    [InlineData("k::v", "::", "k", "v")]
    [InlineData("no separator", ":", null, "no separator")]
    [InlineData("k:v", null, null, "k:v")]
    [InlineData("k:v", "", null, "k:v")]
    public void Key_is_the_text_before_the_first_separator(string line, string? separator, string? key, string value) =>
        Assert.Equal((key, value), LineRecord.Split(line, separator));

    [Fact]
    public void A_record_carries_utf8_bytes_headers_and_partition()
    {
        RecordHeader[] headers = [new("h", "v"u8.ToArray())];

        var record = LineRecord.ToRecord("clé\tvaleur ☕", "\t", headers, partition: 2);

        Assert.Equal("clé", Encoding.UTF8.GetString(record.Key!));
        Assert.Equal("valeur ☕", Encoding.UTF8.GetString(record.Value!));
        Assert.Same(headers, record.Headers);
        Assert.Equal(2, record.Partition);
    }
}
