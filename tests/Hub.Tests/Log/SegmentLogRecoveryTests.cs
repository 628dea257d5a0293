using Hub.Batches;
using Hub.Errors;
using Hub.Topics;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Log;

/// <summary>Opening a log whose files were torn or damaged: everything intact before the damage survives, nothing after it is served.</summary>
public sealed class SegmentLogRecoveryTests : IDisposable
{
    private static readonly TopicConfig Config = LogTestBed.Config with { SegmentBytes = 32 * 1024 };

    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    /// <summary>A closed log of a few segments; returns its batches as stored.</summary>
    private List<(RecordBatchHeader Header, byte[] Bytes)> WriteLog(int seed)
    {
        using var log = _bed.Open(Config);
        var random = new Random(seed);
        while (log.SegmentCount < 3 || new FileInfo(_bed.ActiveLogFile()).Length < 16 * 1024)
            log.Append(TestBatches.Random(random, _bed.Clock.NowMs, 5, 100));
        return TestBatches.Split(log.Read(0, int.MaxValue).Memory);
    }

    [Fact]
    public void Torn_or_flipped_active_segment_keeps_exactly_the_intact_batches()
    {
        var batches = WriteLog(seed: 1);
        var activeName = Path.GetFileName(_bed.ActiveLogFile());
        var activeBase = long.Parse(Path.GetFileNameWithoutExtension(activeName));
        var activeLength = new FileInfo(_bed.ActiveLogFile()).Length;
        var closed = batches.Where(b => b.Header.BaseOffset < activeBase).ToList();
        var active = batches.Where(b => b.Header.BaseOffset >= activeBase).ToList();
        var activeStarts = new List<long>();
        long start = 0;
        foreach (var batch in active)
        {
            activeStarts.Add(start);
            start += batch.Bytes.Length;
        }
        var random = new Random(2);

        for (var iteration = 0; iteration < 200; iteration++)
        {
            var copy = Path.Combine(Path.GetDirectoryName(_bed.Directory)!, $"copy-{iteration}");
            CopyDirectory(_bed.Directory, copy);
            var logFile = Path.Combine(copy, activeName);
            long damageAt;
            if (random.Next(2) == 0)
            {
                damageAt = random.NextInt64(activeLength + 1);
                using var file = File.OpenHandle(logFile, FileMode.Open, FileAccess.Write);
                RandomAccess.SetLength(file, damageAt);
            }
            else
            {
                damageAt = FlippablePosition(random, activeStarts, activeLength);
                var bytes = File.ReadAllBytes(logFile);
                bytes[damageAt] ^= (byte)random.Next(1, 256);
                File.WriteAllBytes(logFile, bytes);
            }
            var intact = closed.Concat(active.Where((_, i) => activeStarts[i] + active[i].Bytes.Length <= damageAt)).ToList();

            using (var log = _bed.Open(Config, copy))
            {
                var expectedEnd = intact.Count == 0 ? 0 : intact[^1].Header.LastOffset + 1;
                Assert.Equal(expectedEnd, log.LogEndOffset);
                Assert.Equal(intact.SelectMany(b => b.Bytes).ToArray(), log.Read(0, int.MaxValue).Memory.ToArray());
                Assert.True(log.Read(expectedEnd, int.MaxValue).Memory.IsEmpty);
                Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(expectedEnd + 1, 100).Memory).Code);

                Assert.Equal(expectedEnd, log.Append(TestBatches.Build(1, "after", "recovery")).BaseOffset);
                Assert.Equal(["after", "recovery"], TestBatches.Records(log.Read(expectedEnd, int.MaxValue).Memory).Select(r => r.Value));
            }
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>
    /// A position in the active log to flip, outside any batch's partition leader epoch: the CRC leaves that
    /// field uncovered (the log patches it), so a flip there is not detectable by design.
    /// </summary>
    private static long FlippablePosition(Random random, List<long> batchStarts, long length)
    {
        while (true)
        {
            var position = random.NextInt64(length);
            var batchStart = batchStarts.Last(s => s <= position);
            var inBatch = position - batchStart;
            if (inBatch is < RecordBatchLayout.PartitionLeaderEpoch or >= RecordBatchLayout.Magic) return position;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(5000)]
    public void Garbage_after_the_last_batch_is_cut(int garbageBytes)
    {
        var batches = WriteLog(seed: 3);
        var logFile = _bed.ActiveLogFile();
        var length = new FileInfo(logFile).Length;
        var garbage = new byte[garbageBytes];
        new Random(garbageBytes).NextBytes(garbage);
        using (var file = new FileStream(logFile, FileMode.Append)) file.Write(garbage);

        using var log = _bed.Open(Config);

        Assert.Equal(batches[^1].Header.LastOffset + 1, log.LogEndOffset);
        Assert.Equal(length, new FileInfo(logFile).Length);
        Assert.Equal(batches.SelectMany(b => b.Bytes).ToArray(), log.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Contains(_bed.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"cutting {garbageBytes} bytes"));
    }

    [Fact]
    public void A_damaged_closed_segment_is_cut_and_the_segments_after_it_discarded()
    {
        var batches = WriteLog(seed: 4);
        var firstSegment = Directory.GetFiles(_bed.Directory, "*.log").Order(StringComparer.Ordinal).First();
        var cut = new FileInfo(firstSegment).Length - 10;
        using (var file = File.OpenHandle(firstSegment, FileMode.Open, FileAccess.Write)) RandomAccess.SetLength(file, cut);
        var intact = new List<(RecordBatchHeader Header, byte[] Bytes)>();
        for (long end = batches[0].Bytes.Length; end <= cut; end += batches[intact.Count].Bytes.Length) intact.Add(batches[intact.Count]);

        using var log = _bed.Open(Config);

        Assert.Equal(1, log.SegmentCount);
        Assert.Single(Directory.GetFiles(_bed.Directory, "*.log"));
        Assert.Equal(intact[^1].Header.LastOffset + 1, log.LogEndOffset);
        Assert.Equal(intact.SelectMany(b => b.Bytes).ToArray(), log.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Contains(_bed.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Discarding"));
    }

    [Fact]
    public void A_segment_whose_offsets_do_not_follow_the_previous_one_is_discarded()
    {
        var batches = WriteLog(seed: 5);
        var lastSegment = Directory.GetFiles(_bed.Directory, "*.log").Order(StringComparer.Ordinal).Last();
        var lastBase = long.Parse(Path.GetFileNameWithoutExtension(lastSegment));
        File.Move(lastSegment, Path.Combine(_bed.Directory, $"{lastBase + 1:D20}.log"));

        using var log = _bed.Open(Config);

        Assert.Equal(lastBase, log.LogEndOffset);
        Assert.Equal(batches.Where(b => b.Header.BaseOffset < lastBase).SelectMany(b => b.Bytes).ToArray(), log.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Contains(_bed.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Discarding"));
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
    }
}
