using Hub.Client.Connection;

namespace Hub.Tests.Client;

public class GatewayEndpointsTests
{
    [Theory]
    [InlineData("localhost:30000", "localhost", 30000)]
    [InlineData("10.0.0.5:31000", "10.0.0.5", 31000)]
    [InlineData("broker-1", "broker-1", 30000)]
    [InlineData("[::1]:30001", "::1", 30001)]
    [InlineData("[::1]", "::1", 30000)]
    [InlineData("::1", "::1", 30000)]
    public void Parses_host_and_port(string gateway, string host, int port) =>
        Assert.Equal((host, port), GatewayEndpoints.Parse(gateway));

    [Theory]
    [InlineData("localhost:")]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData("localhost:http")]
    [InlineData(":30000")]
    [InlineData("[::1")]
    public void Rejects_malformed_gateways(string gateway) =>
        Assert.Throws<FormatException>(() => GatewayEndpoints.Parse(gateway));

    [Fact]
    public async Task Resolves_localhost_to_IPv4_loopback()
    {
        var endpoints = await GatewayEndpoints.ResolveAsync(["localhost:30000", "127.0.0.2:1234"], CancellationToken.None);
        Assert.Equal(["127.0.0.1:30000", "127.0.0.2:1234"], endpoints.Select(e => e.ToString()));
    }
}
