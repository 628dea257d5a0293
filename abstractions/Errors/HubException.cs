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

    public override string ToString() => $"{Code}: {Message}";
}
