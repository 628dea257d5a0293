using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Support;

namespace Hub.Tests.Cli;

/// <summary><c>hub topics delete-records</c> and <c>elect-leaders</c> against a silo process, checked through the SDK.</summary>
public sealed class TopicsAdminCliTests
{
    [Fact]
    public async Task Elect_leaders_reports_each_partition_and_changes_no_leader_that_is_already_preferred()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var client = await silo.ConnectAsync();
        var created = await client.Admin.CreateTopicAsync("ledger", 2);

        var output = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "topics", "elect-leaders", "ledger");

        Assert.Equal(["TOPIC", "PARTITION", "RESULT"], output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["ledger", "0", "ElectionNotNeeded"], output[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["ledger", "1", "ElectionNotNeeded"], output[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var unclean = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "topics", "elect-leaders", "ledger", "--partition", "1", "--unclean");
        Assert.Equal(["ledger", "1", "ElectionNotNeeded"], unclean[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(created.Partitions.Select(p => (p.Leader, p.LeaderEpoch)),
            (await client.Admin.DescribeTopicAsync("ledger")).Metadata.Partitions.Select(p => (p.Leader, p.LeaderEpoch)));
    }

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
