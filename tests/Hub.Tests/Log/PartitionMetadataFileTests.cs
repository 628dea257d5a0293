using Hub.Silo.Log;
using Hub.Silo.Storage;
using Hub.Tests.Support;

namespace Hub.Tests.Log;

/// <summary>The topic id file of a partition directory, which tells a recreated topic's directory from its predecessor's.</summary>
public sealed class PartitionMetadataFileTests : TempDirectoryTests
{
    private readonly CapturingLogger _logger = new();

    private string Directory => Path.Combine(Temp.Path, "orders-0");

    private string IdFile => Path.Combine(Directory, PartitionMetadataFile.FileName);

    [Fact]
    public void Claiming_a_new_directory_creates_it_with_the_topic_id_as_text()
    {
        var topicId = Guid.NewGuid();

        PartitionMetadataFile.Claim(Directory, topicId, DiskIo.Plain, _logger);

        Assert.Equal(topicId.ToString(), File.ReadAllText(IdFile));
        Assert.False(File.Exists(IdFile + ".tmp"));
    }

    [Fact]
    public void The_same_topic_keeps_its_records()
    {
        var topicId = Guid.NewGuid();
        PartitionMetadataFile.Claim(Directory, topicId, DiskIo.Plain, _logger);
        File.WriteAllBytes(Path.Combine(Directory, "00000000000000000000.log"), [1]);

        PartitionMetadataFile.Claim(Directory, topicId, DiskIo.Plain, _logger);

        Assert.True(File.Exists(Path.Combine(Directory, "00000000000000000000.log")));
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void A_directory_of_a_deleted_topic_of_the_same_name_is_wiped_and_claimed()
    {
        PartitionMetadataFile.Claim(Directory, Guid.NewGuid(), DiskIo.Plain, _logger);
        File.WriteAllBytes(Path.Combine(Directory, "00000000000000000000.log"), [1]);
        var newTopic = Guid.NewGuid();

        PartitionMetadataFile.Claim(Directory, newTopic, DiskIo.Plain, _logger);

        Assert.False(File.Exists(Path.Combine(Directory, "00000000000000000000.log")));
        Assert.Equal(newTopic.ToString(), File.ReadAllText(IdFile));
        Assert.Contains(_logger.Entries, e => e.Message.Contains("deleted topic"));
    }
}
