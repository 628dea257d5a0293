namespace Hub.Silo.Kafka.Apis.Records.Sessions;

/// <summary>The session epochs of a Fetch request (KIP-227).</summary>
internal static class FetchSessionEpochs
{
    /// <summary>A full fetch without a session, closing the one named if any.</summary>
    public const int Final = -1;

    /// <summary>A full fetch creating a session, closing the one named if any.</summary>
    public const int Initial = 0;

    /// <summary>The epoch of the first incremental request after a session's creation.</summary>
    public const int First = 1;

    /// <summary>The epoch after <paramref name="epoch"/>: wraps to <see cref="First"/>, never to the special 0 and -1.</summary>
    public static int Next(int epoch) => epoch == int.MaxValue ? First : epoch + 1;
}
