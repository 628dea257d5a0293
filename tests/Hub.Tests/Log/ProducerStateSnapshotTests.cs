using Hub.Silo.Log;

namespace Hub.Tests.Log;

/// <summary>The snapshot file's encoding: what is written reads back, and no damaged file is ever read as producers.</summary>
public sealed class ProducerStateSnapshotTests
{
    private static readonly ProducerState[] Producers =
    [
        new(7, 2, 1_700_000_000_000, [new ProducerBatch(0, 4, 100, 104), new ProducerBatch(5, 5, 110, 110)]),
        new(long.MaxValue, 0, 5, [new ProducerBatch(int.MaxValue, 3, 200, 204)]),
    ];

    private static void AssertSame(IReadOnlyList<ProducerState> expected, IReadOnlyList<ProducerState>? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].ProducerId, expected[i].Epoch, expected[i].LastAppendMs), (actual[i].ProducerId, actual[i].Epoch, actual[i].LastAppendMs));
            Assert.Equal(expected[i].Batches, actual[i].Batches);
        }
    }

    [Fact]
    public void What_is_encoded_decodes_to_the_same_producers()
    {
        AssertSame(Producers, ProducerStateSnapshot.TryDecode(ProducerStateSnapshot.Encode(Producers), out _));
        AssertSame([], ProducerStateSnapshot.TryDecode(ProducerStateSnapshot.Encode([]), out _));
    }

    [Fact]
    public void Every_torn_length_is_refused()
    {
        var bytes = ProducerStateSnapshot.Encode(Producers);
        for (var length = 0; length < bytes.Length; length++)
            Assert.Null(ProducerStateSnapshot.TryDecode(bytes.AsSpan(0, length), out _));
        Assert.Null(ProducerStateSnapshot.TryDecode([.. bytes, 0], out var problem));
        Assert.NotEmpty(problem);
    }

    [Fact]
    public void Every_flipped_byte_is_refused()
    {
        var bytes = ProducerStateSnapshot.Encode(Producers);
        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = bytes.ToArray();
            damaged[i] ^= 0x10;
            Assert.Null(ProducerStateSnapshot.TryDecode(damaged, out _));
        }
    }
}
