namespace Hub.Silo.Log;

/// <summary>An entry of a <see cref="SparseIndex{TEntry}"/>: its fixed-size big-endian encoding, its ordering rule, and the column lookups search.</summary>
internal interface ISparseIndexEntry<TSelf> where TSelf : struct, ISparseIndexEntry<TSelf>
{
    /// <summary>Bytes one entry takes in the index file.</summary>
    static abstract int Size { get; }

    /// <summary>What every entry of a well-formed index follows (see <see cref="Follows"/>), so the first entry needs no special case.</summary>
    static abstract TSelf BeforeFirst { get; }

    /// <summary>The column lookups search; it never decreases from one entry to the next.</summary>
    long Key { get; }

    /// <summary>Whether this entry may come right after <paramref name="previous"/> in a well-formed index.</summary>
    bool Follows(in TSelf previous);

    static abstract TSelf Read(ReadOnlySpan<byte> source);

    void Write(Span<byte> destination);
}
