using System.Text;
using Hub.Silo.Storage;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Log;

/// <summary>
/// The file "partition.metadata" in a partition replica's directory: the id of the topic whose records the
/// directory holds, as Kafka keeps it (here the id alone, as text). A directory left by an older topic of the
/// same name (deleted while this broker was away) holds someone else's records and is wiped before use.
/// </summary>
internal static partial class PartitionMetadataFile
{
    public const string FileName = "partition.metadata";

    /// <summary>
    /// Makes <paramref name="directory"/> the partition directory of topic <paramref name="topicId"/>: wipes it when
    /// its file names another topic, creates it, and writes the file (atomically, see <see cref="AtomicFile"/>)
    /// when it is missing.
    /// </summary>
    public static void Claim(string directory, Guid topicId, DiskIo io, ILogger logger)
    {
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() != topicId.ToString())
        {
            LogRemovingDeletedTopic(logger, directory);
            SegmentLog.Delete(directory, io);
        }
        Directory.CreateDirectory(directory);
        if (!File.Exists(path)) AtomicFile.Write(path, Encoding.UTF8.GetBytes(topicId.ToString()), io);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing {Directory}: it belongs to a deleted topic of the same name")]
    private static partial void LogRemovingDeletedTopic(ILogger logger, string directory);
}
