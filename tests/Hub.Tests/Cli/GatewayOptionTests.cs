using System.CommandLine;
using Hub.Cli.CommandLine;

namespace Hub.Tests.Cli;

public sealed class GatewayOptionTests
{
    [Fact]
    public void Options_win_over_the_environment()
    {
        Assert.Equal(["a:1", "b:2", "c:3"], GatewayOption.Resolve(["a:1", "b:2,c:3"], "env:9"));
    }

    [Fact]
    public void The_environment_wins_over_the_default()
    {
        Assert.Equal(["x:1", "y:2"], GatewayOption.Resolve([], " x:1 , y:2 "));
    }

    [Fact]
    public void Without_either_the_default_is_used()
    {
        Assert.Equal([GatewayOption.DefaultGateway], GatewayOption.Resolve([], null));
        Assert.Equal([GatewayOption.DefaultGateway], GatewayOption.Resolve([], ""));
    }

    [Theory]
    [InlineData("localhost:30000", true)]
    [InlineData("[::1]:30000", true)]
    [InlineData("localhost", false)]
    [InlineData(":30000", false)]
    [InlineData("host:0", false)]
    [InlineData("host:70000", false)]
    public void Gateways_must_be_host_and_port(string gateway, bool valid) =>
        Assert.Equal(valid, GatewayOption.IsHostAndPort(gateway));

    [Fact]
    public void The_option_applies_to_subcommands_and_repeats()
    {
        var gateway = GatewayOption.Create();
        var sub = new Command("sub");
        var root = new RootCommand { gateway, sub };

        var parse = root.Parse(["sub", "--gateway", "a:1", "-g", "b:2"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["a:1", "b:2"], parse.GetRequiredValue(gateway));
    }

    [Fact]
    public void A_malformed_gateway_is_a_parse_error()
    {
        var gateway = GatewayOption.Create();

        var parse = new RootCommand { gateway }.Parse(["--gateway", "nohost"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("gateway 'nohost' is not of the form host:port"));
    }
}
