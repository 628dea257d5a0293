using System.CommandLine;
using Hub.Batches;
using Hub.Cli.CommandLine;
using Hub.Client;
using Hub.Partitions;

namespace Hub.Tests.Cli;

public sealed class CommonOptionsTests
{
    [Theory]
    [InlineData("all", Acks.All)]
    [InlineData("ALL", Acks.All)]
    [InlineData("-1", Acks.All)]
    [InlineData("1", Acks.Leader)]
    [InlineData("0", Acks.None)]
    public void Acks_take_kafkas_spellings(string text, Acks expected)
    {
        var option = CommonOptions.AcksOption();
        var parse = new RootCommand { option }.Parse(["--acks", text]);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue(option));
    }

    [Fact]
    public void Acks_default_to_all()
    {
        var option = CommonOptions.AcksOption();

        Assert.Equal(Acks.All, new RootCommand { option }.Parse([]).GetValue(option));
    }

    [Fact]
    public void Unknown_acks_are_a_parse_error()
    {
        var parse = new RootCommand { CommonOptions.AcksOption() }.Parse(["--acks", "2"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("--acks must be all, -1, 1 or 0"));
    }

    [Fact]
    public void A_positive_option_rejects_zero()
    {
        var parse = new RootCommand { CommonOptions.Positive(new Option<int>("--partitions")) }.Parse(["--partitions", "0"]);

        Assert.Contains(parse.Errors, e => e.Message == "--partitions must be greater than 0");
    }

    [Fact]
    public void A_non_negative_option_accepts_zero_and_rejects_negatives()
    {
        var option = CommonOptions.NonNegative(new Option<long?>("--offset"));
        var root = new RootCommand { option };

        Assert.Empty(root.Parse(["--offset", "0"]).Errors);
        Assert.Contains(root.Parse(["--offset", "-5"]).Errors, e => e.Message == "--offset must not be negative");
    }

    [Theory]
    [InlineData("none", CompressionType.None)]
    [InlineData("GZIP", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public void Compression_takes_kafkas_codec_names(string text, CompressionType expected)
    {
        var option = CommonOptions.CompressionOption();
        var parse = new RootCommand { option }.Parse(["--compression", text]);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue(option));
        Assert.Equal(CompressionType.None, new RootCommand { option }.Parse([]).GetValue(option));
    }

    [Fact]
    public void An_unknown_codec_is_a_parse_error()
    {
        var parse = new RootCommand { CommonOptions.CompressionOption() }.Parse(["--compression", "brotli"]);

        Assert.Contains(parse.Errors, e => e.Message == "--compression must be none, gzip, snappy, lz4 or zstd, not 'brotli'");
    }

    [Fact]
    public void Isolation_level_takes_kafkas_names_and_defaults_to_read_committed()
    {
        var option = CommonOptions.IsolationLevelOption();
        var root = new RootCommand { option };

        Assert.Equal(IsolationLevel.ReadCommitted, root.Parse([]).GetValue(option));
        Assert.Equal(IsolationLevel.ReadUncommitted, root.Parse(["--isolation-level", "read_uncommitted"]).GetValue(option));
        Assert.Equal(IsolationLevel.ReadCommitted, root.Parse(["--isolation-level", "READ_COMMITTED"]).GetValue(option));
        Assert.Contains(root.Parse(["--isolation-level", "serializable"]).Errors,
            e => e.Message == "--isolation-level must be read_committed or read_uncommitted, not 'serializable'");
    }
}
