using Hub.Cli.Commands;

namespace Hub.Tests.Cli;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(12L * 1024 * 1024, "12.0 MiB")]
    [InlineData(1L << 40, "1.0 TiB")]
    public void Formats_in_binary_units(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));
}
