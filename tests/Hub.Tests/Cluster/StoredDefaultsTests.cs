using Hub.Tests.Support;
using Hub.Topics;

namespace Hub.Tests.Cluster;

/// <summary>What the cluster stores comes back after a restart as it was, values that equal a type's default (0) included.</summary>
public sealed class StoredDefaultsTests
{
    [Fact]
    public async Task Topic_configs_set_to_zero_survive_a_silo_restart()
    {
        using var data = new TempDirectory();
        var silo = await SiloProcess.StartAsync(data.Path);
        try
        {
            await using (var client = await silo.ConnectAsync())
            {
                await client.Admin.CreateTopicAsync("zeros", 1, new Dictionary<string, string>
                {
                    [TopicConfig.FlushMsKey] = "0", // fsync every batch: losing it would silently weaken durability
                    [TopicConfig.RetentionBytesKey] = "0",
                });
            }
            await silo.StopAsync();
            silo = await silo.RestartAsync();
            await using var restarted = await silo.ConnectAsync();
            var config = (await restarted.Admin.DescribeTopicAsync("zeros")).Metadata.Config;
            Assert.Equal((0L, 0L), (config.FlushMs, config.RetentionBytes));
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
