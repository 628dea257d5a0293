using System.CommandLine;
using System.Diagnostics;
using Hub.Cli.CommandLine;

namespace Hub.Tests.Cli;

public sealed class ConnectTimeoutOptionTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("3601")]
    public void Out_of_range_is_a_parse_error(string seconds)
    {
        var parse = new RootCommand { ConnectTimeoutOption.Create() }.Parse(["--connect-timeout", seconds]);
        Assert.Contains(parse.Errors, e => e.Message.Contains("--connect-timeout must be 1 to 3600 seconds"));
    }

    [Fact]
    public async Task A_command_gives_up_reaching_an_absent_gateway_after_the_given_seconds_not_the_default_ten()
    {
        var gateway = GatewayOption.Create();
        var connectTimeout = ConnectTimeoutOption.Create();
        var sub = new Command("sub");
        var root = new RootCommand { gateway, connectTimeout, sub };
        var parse = root.Parse(["sub", "--gateway", "127.0.0.1:1", "--connect-timeout", "1"]);
        Assert.Empty(parse.Errors);

        var clock = Stopwatch.StartNew();
        var exitCode = await new HubCommandRunner(gateway, connectTimeout).RunAsync(parse, null, (_, _) => Task.FromResult(0), CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"gave up after {clock.Elapsed}");
    }
}
