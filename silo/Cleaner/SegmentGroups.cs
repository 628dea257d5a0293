namespace Hub.Silo.Cleaner;

/// <summary>
/// Splits the segments to rewrite into runs that each become one cleaned segment, as Kafka's groupSegmentsBySize:
/// consecutive segments while their sizes add up to no more than segment.bytes and their offsets fit an index's int32
/// relative offsets. Cleaned segments shrink, so over repeated cleanings small ones merge back into full-sized ones.
/// </summary>
internal static class SegmentGroups
{
    public static List<List<CompactionJob.Segment>> Of(IEnumerable<CompactionJob.Segment> segments, int maxSegmentBytes)
    {
        var groups = new List<List<CompactionJob.Segment>>();
        List<CompactionJob.Segment>? group = null;
        long size = 0;
        foreach (var segment in segments)
        {
            if (group is null || size + segment.Size > maxSegmentBytes || segment.EndOffset - 1 - group[0].BaseOffset > int.MaxValue)
            {
                group = [];
                groups.Add(group);
                size = 0;
            }
            group.Add(segment);
            size += segment.Size;
        }
        return groups;
    }
}
