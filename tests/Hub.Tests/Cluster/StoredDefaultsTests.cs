using Hub.Tests.Support;
using Hub.Topics;

namespace Hub.Tests.Cluster;

/// <summary>
/// What the cluster stores comes back after a restart as it was: values that equal a type's default (0) included, and
/// the configs Hub only stores.
/// </summary>
public sealed class StoredDefaultsTests
{
    [Fact]
    public async Task Topic_configs_set_to_zero_or_only_stored_survive_a_silo_restart()
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
                    [TopicConfig.MessageTimestampTypeKey] = TopicConfig.LogAppendTime,
                    [TopicConfig.UncleanLeaderElectionEnableKey] = "false",
                    ["preallocate"] = "true",
                    ["compression.zstd.level"] = "0",
                });
            }
            await silo.StopAsync();
            silo = await silo.RestartAsync();
            await using var restarted = await silo.ConnectAsync();
            var metadata = (await restarted.Admin.DescribeTopicAsync("zeros")).Metadata;
            Assert.Equal((0L, 0L, TopicConfig.LogAppendTime), (metadata.Config.FlushMs, metadata.Config.RetentionBytes, metadata.Config.MessageTimestampType));
            Assert.Equal(("true", "0", "false"), (metadata.SetConfigs!["preallocate"], metadata.SetConfigs["compression.zstd.level"], metadata.SetConfigs[TopicConfig.UncleanLeaderElectionEnableKey]));
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
