namespace Hub.Client;

/// <summary>How <see cref="DeadLetterHandler.ProcessAsync"/> settled an event.</summary>
public enum DeadLetterOutcome
{
    /// <summary>The handler succeeded (perhaps after retries).</summary>
    Processed,

    /// <summary>The handler failed every attempt; the event is stored in the dead-letter topic.</summary>
    DeadLettered,
}
