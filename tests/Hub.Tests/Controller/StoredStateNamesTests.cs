using Hub.Silo.Grains;
using Hub.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Hub.Tests.Controller;

/// <summary>
/// State written before the controller and producer-id grains moved folders still reads: the silo's JSON grain
/// storage stores each state's type name, so a moved state type must keep it (a namespace change made the
/// controller fail to activate on an existing data directory or Redis store).
/// </summary>
public sealed class StoredStateNamesTests : IAsyncLifetime
{
    /// <summary>A controller state file's payload as the build before the move wrote it (one topic, one partition).</summary>
    private const string StoredClusterMetadata =
        """{"$id":"1","$type":"Hub.Silo.Grains.ClusterMetadataState, Hub.Silo","Topics":{"$id":"2","$type":"System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[Hub.Topics.TopicMetadata, Hub.Abstractions]], System.Private.CoreLib","probe":{"$id":"3","$type":"Hub.Topics.TopicMetadata, Hub.Abstractions","Name":"probe","TopicId":"d10aa91a-a3b4-45b3-b841-339f387f28e8","Config":{"$id":"4","$type":"Hub.Topics.TopicConfig, Hub.Abstractions","RetentionMs":604800000,"RetentionBytes":-1,"SegmentBytes":1073741824,"SegmentMs":604800000,"MaxMessageBytes":1048588,"CleanupPolicy":"delete","FlushMessages":9223372036854775807,"FlushMs":100,"MinInSyncReplicas":1},"CreatedAt":"2026-12-06T20:22:03.6069001+00:00","Partitions":{"$type":"Hub.Topics.PartitionAssignment[], Hub.Abstractions","$values":[{"$id":"5","$type":"Hub.Topics.PartitionAssignment, Hub.Abstractions","Replicas":{"$type":"System.Int32[], System.Private.CoreLib","$values":[0]},"Isr":{"$type":"System.Int32[], System.Private.CoreLib","$values":[0]},"InSync":{"$type":"System.Int32[], System.Private.CoreLib","$values":[0]},"HasLeader":true}]},"PartitionCount":1}}}""";

    private const string StoredProducerIds = """{"$id":"1","$type":"Hub.Silo.Grains.ProducerIdState, Hub.Silo","ReservedUntil":3000}""";

    private HubTestCluster _cluster = null!;

    private IGrainStorageSerializer Serializer => _cluster.SiloServices.GetRequiredService<IGrainStorageSerializer>();

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public void Cluster_metadata_stored_before_the_move_reads_back()
    {
        var state = Serializer.Deserialize<ClusterMetadataState>(BinaryData.FromString(StoredClusterMetadata))!;

        Assert.Equal(Guid.Parse("d10aa91a-a3b4-45b3-b841-339f387f28e8"), state.Topics["probe"].TopicId);
        Assert.Equal([0], state.Topics["probe"].Partitions[0].Replicas);
    }

    [Fact]
    public void Producer_ids_reserved_before_the_move_read_back()
    {
        Assert.Equal(3000, Serializer.Deserialize<ProducerIdState>(BinaryData.FromString(StoredProducerIds))!.ReservedUntil);
    }
}
