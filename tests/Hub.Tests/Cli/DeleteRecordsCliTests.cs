using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Support;

namespace Hub.Tests.Cli;

/// <summary><c>hub topics delete-records</c> against a silo process, checked through the SDK.</summary>
public sealed class DeleteRecordsCliTests
{
    [Fact]
    public async Task Delete_records_moves_each_partitions_log_start_and_refuses_an_offset_past_the_end()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var client = await silo.ConnectAsync();
        await client.Admin.CreateTopicAsync("ledger", 1);
        await GroupTesting.ProduceAsync(client, "ledger", 10);

        var output = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "topics", "delete-records", "ledger", "--before", "4");

        Assert.Equal(["TOPIC", "PARTITION", "LOG-START"], output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["ledger", "0", "4"], output[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(4, (await client.Admin.DescribeTopicAsync("ledger")).Partitions[0].LogStartOffset);

        var refused = await HubCli.TryRunAsync(silo, null, null, HubCli.Timeout, "10", "topics", "delete-records", "ledger", "--before", "11");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("the high watermark is 10", refused.Errors);
        Assert.Equal(4, (await client.Admin.DescribeTopicAsync("ledger")).Partitions[0].LogStartOffset);

        await HubCli.RunAsync(silo, null, HubCli.Timeout, "topics", "delete-records", "ledger", "--before", "-1");
        Assert.Equal(10, (await client.Admin.DescribeTopicAsync("ledger")).Partitions[0].LogStartOffset);
    }
}
