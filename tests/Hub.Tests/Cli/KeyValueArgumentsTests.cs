using System.CommandLine;
using Hub.Cli.CommandLine;

namespace Hub.Tests.Cli;

public sealed class KeyValueArgumentsTests
{
    [Theory]
    [InlineData("retention.ms=1000", "retention.ms", "1000")]
    [InlineData("k=", "k", "")]
    [InlineData("url=http://x/?a=b", "url", "http://x/?a=b")]
    public void Splits_at_the_first_equals(string text, string key, string value)
    {
        Assert.True(KeyValueArguments.TryParse(text, out var pair));
        Assert.Equal(key, pair.Key);
        Assert.Equal(value, pair.Value);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=value")]
    [InlineData("")]
    public void Rejects_text_without_a_key(string text) => Assert.False(KeyValueArguments.TryParse(text, out _));

    [Fact]
    public void Option_collects_every_occurrence_in_order()
    {
        var (command, option) = CommandWithOption();

        var parse = command.Parse(["--config", "a=1", "--config", "b=2"]);

        Assert.Empty(parse.Errors);
        Assert.Equal([new("a", "1"), new("b", "2")], parse.GetRequiredValue(option));
    }

    [Fact]
    public void Option_is_empty_when_not_given()
    {
        var (command, option) = CommandWithOption();

        Assert.Empty(command.Parse([]).GetRequiredValue(option));
    }

    [Fact]
    public void Option_reports_a_malformed_value_as_a_parse_error()
    {
        var (command, _) = CommandWithOption();

        var parse = command.Parse(["--config", "oops"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("'oops' is not of the form key=value"));
    }

    [Fact]
    public void A_key_given_twice_is_an_error()
    {
        var error = Assert.Throws<CliException>(() =>
            KeyValueArguments.ToDictionary([new("a", "1"), new("a", "2")], "config"));

        Assert.Equal("config 'a' is given more than once", error.Message);
    }

    private static (RootCommand, Option<IReadOnlyList<KeyValuePair<string, string>>>) CommandWithOption()
    {
        var option = KeyValueArguments.CreateOption("--config", "test");
        return (new RootCommand { option }, option);
    }
}
