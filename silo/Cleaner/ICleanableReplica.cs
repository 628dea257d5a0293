using Hub.Silo.Log;
using Hub.Topics;

namespace Hub.Silo.Cleaner;

/// <summary>A partition replica as its silo's <see cref="LogCleaner"/> sees it; read only in the replica's turn.</summary>
internal interface ICleanableReplica
{
    /// <summary>The open log; null once closed (the cleaner then drops its work).</summary>
    SegmentLog? Log { get; }

    TopicConfig Config { get; }

    /// <summary>Offsets from here on are never cleaned: the replica's last stable offset, at most its high watermark.</summary>
    long StableOffset { get; }
}
