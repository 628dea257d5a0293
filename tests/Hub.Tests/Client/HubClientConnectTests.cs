using System.Diagnostics;
using Hub.Client;

namespace Hub.Tests.Client;

public class HubClientConnectTests
{
    [Fact]
    public async Task An_unreachable_gateway_fails_with_a_connection_error_after_the_timeout()
    {
        var options = new HubClientOptions { Gateways = ["127.0.0.1:1"], ConnectTimeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(options));

        Assert.StartsWith("cannot reach Hub at 127.0.0.1:1: ", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_malformed_gateway_fails_with_a_connection_error()
    {
        var options = new HubClientOptions { Gateways = ["localhost:notaport"] };

        var error = await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(options));

        Assert.StartsWith("cannot reach Hub at localhost:notaport: ", error.Message);
    }
}
