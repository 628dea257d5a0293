namespace Hub.Errors;

/// <summary>A request Hub refused: <see cref="Code"/> says why in Kafka's terms, the message says what was wrong.</summary>
[GenerateSerializer]
public sealed class HubException : Exception
{
    public HubException(ErrorCode code, string message) : base(message) => Code = code;

    /// <summary>A refusal that follows from an earlier one (<paramref name="cause"/>), under the same or its own code.</summary>
    public HubException(ErrorCode code, string message, Exception cause) : base(message, cause) => Code = code;

    [Id(0)]
    public ErrorCode Code { get; }

    /// <summary>
    /// The records at fault, by index among the refused records of their partition, when only some are (Kafka's
    /// Produce record errors, KIP-467): a client fails those with <see cref="Code"/> and the others with it as
    /// innocent bystanders, instead of blaming every record. Null: the refusal is about the request as a whole.
    /// </summary>
    [Id(1)]
    public int[]? RecordIndexes { get; init; }

    public override string ToString() => $"{Code}: {Message}";
}
