using Hub.Client;
using Orleans.Runtime.Providers;

namespace Hub.Streaming;

/// <summary>
/// The pulling agent's wait between delivery attempts, taken from the provider's <see cref="DeadLetterPolicy"/>:
/// the agent retries a failed delivery itself (keeping the subscriber's order), and this sets how long it waits.
/// </summary>
internal sealed class DeadLetterBackoff(DeadLetterPolicy policy) : IMessageDeliveryBackoffProvider
{
    /// <param name="attempt">The agent's count of failed attempts so far, from 0.</param>
    public TimeSpan Next(int attempt) => policy.BackoffAfter(attempt + 1);
}
