namespace Hub.Client;

/// <summary>
/// Runs an application's handler on consumed records under a <see cref="DeadLetterPolicy"/>: a failing record is
/// tried again after the policy's backoff, and after its last failed attempt written to the dead-letter topic
/// (awaited, acks=all). <see cref="ProcessAsync"/> returns only once the record is settled either way, so a
/// consume loop that awaits it before taking the next record commits past a record only after it was processed
/// or dead-lettered, with any consumer: <see cref="HubConsumer"/>, <see cref="HubGroupConsumer"/> (whose commits
/// never pass the record in hand) or <see cref="HubKeyOrderedConsumer"/> (whose next record of a key waits).
/// <code>
/// await using var deadLetters = new DeadLetterHandler(hub, new DeadLetterPolicy { MaxAttempts = 3 }, consumerGroup: "billing");
/// await foreach (var result in consumer.ConsumeAsync(ct))
///     await deadLetters.ProcessAsync(result, (r, ct) => BillAsync(r, ct), ct);
/// </code>
/// Cancelling <c>ct</c> stops the retries and is no failure: the record is left unsettled, to be read again.
/// Safe for concurrent calls (each record is retried on its caller's flow).
/// </summary>
public sealed class DeadLetterHandler : IAsyncDisposable
{
    private readonly DeadLetterWriter _writer;
    private readonly string? _consumerGroup;
    private readonly string? _subscriber;
    private readonly TimeProvider _time;

    /// <param name="consumerGroup">Written into each dead letter's <see cref="DeadLetterHeaders.ConsumerGroup"/> header.</param>
    /// <param name="subscriber">A name for the handler, written into <see cref="DeadLetterHeaders.Subscriber"/>.</param>
    /// <param name="time">The clock the backoff waits on (tests pass a manual one).</param>
    public DeadLetterHandler(HubClient client, DeadLetterPolicy policy, string? consumerGroup = null, string? subscriber = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        _writer = new DeadLetterWriter(client, policy);
        _consumerGroup = consumerGroup;
        _subscriber = subscriber;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Runs <paramref name="handler"/> on <paramref name="result"/> until it succeeds or the policy's attempts are
    /// used up, then dead-letters the record. A failure to write the dead letter is thrown (the record is not
    /// settled, so it must not be committed).
    /// </summary>
    public async Task<DeadLetterOutcome> ProcessAsync(ConsumeResult result, Func<ConsumeResult, CancellationToken, Task> handler, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var policy = _writer.Policy;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await handler(result, ct).ConfigureAwait(false);
                return DeadLetterOutcome.Processed;
            }
            catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
            {
                if (!policy.ShouldRetry(attempt))
                {
                    var record = result.Record;
                    var failure = new DeadLetterFailure(result.Topic, result.Partition, record.Offset, attempt, e, _consumerGroup, _subscriber, _time.GetUtcNow());
                    await _writer.WriteAsync(failure, record.Key, record.Value, record.DecodeHeaders(), record.Timestamp, ct).ConfigureAwait(false);
                    return DeadLetterOutcome.DeadLettered;
                }
            }
            await Task.Delay(policy.BackoffAfter(attempt), _time, ct).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
