using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Authorization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hub.Tests.Kafka;

/// <summary>The authorizer of a silo without Hub:Authorization:Enabled, for API handlers built by hand: it allows everything.</summary>
internal static class Authorizers
{
    public static KafkaAuthorizer Off(IGrainFactory grains) =>
        new(Options.Create(new HubSiloOptions()), grains, TimeProvider.System, NullLogger<KafkaAuthorizer>.Instance);
}
