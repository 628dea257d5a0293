namespace Hub.Silo.Quotas;

/// <summary>Tells the <see cref="RequestTimeMeter"/> of the Kafka request making a grain call when the call is out.</summary>
internal sealed class RequestTimeGrainCallFilter : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (RequestTimeMeter.Current is not { } meter)
        {
            await context.Invoke();
            return;
        }
        meter.CallStarted();
        try
        {
            await context.Invoke();
        }
        finally
        {
            meter.CallEnded();
        }
    }
}
