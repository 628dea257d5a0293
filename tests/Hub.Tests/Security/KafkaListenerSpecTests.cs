using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Listeners;

namespace Hub.Tests.Security;

public sealed class KafkaListenerSpecTests
{
    [Fact]
    public void Without_listeners_there_is_one_plaintext_listener_from_the_flat_settings()
    {
        var spec = Assert.Single(KafkaListenerSpec.From(new HubSiloOptions
        {
            KafkaPort = 9999, KafkaListenAddress = "127.0.0.2", KafkaAdvertisedHost = "broker.example", KafkaAdvertisedPort = 19999,
        }));
        Assert.Equal(new KafkaListenerSpec("PLAINTEXT", SecurityProtocol.Plaintext, "127.0.0.2", 9999, "broker.example", 19999), spec);
    }

    [Fact]
    public void Reads_kafkas_listeners_advertised_listeners_and_protocol_map()
    {
        var specs = KafkaListenerSpec.From(new HubSiloOptions
        {
            KafkaListeners = "PLAINTEXT://127.0.0.1:9092, SASL_SSL://:9093,internal://[::1]:9094",
            KafkaAdvertisedListeners = "SASL_SSL://public.example:443",
            KafkaListenerSecurityProtocolMap = "INTERNAL:SASL_PLAINTEXT",
            KafkaListenAddress = "0.0.0.0",
        });
        Assert.Equal(
        [
            new KafkaListenerSpec("PLAINTEXT", SecurityProtocol.Plaintext, "127.0.0.1", 9092, null, null),
            new KafkaListenerSpec("SASL_SSL", SecurityProtocol.SaslSsl, "0.0.0.0", 9093, "public.example", 443),
            new KafkaListenerSpec("INTERNAL", SecurityProtocol.SaslPlaintext, "::1", 9094, null, null),
        ], specs);
    }

    [Theory]
    [InlineData("SECURE://:9093", null, null, "has no security protocol")]
    [InlineData("PLAINTEXT:9092", null, null, "is not NAME://host:port")]
    [InlineData("PLAINTEXT://:99999", null, null, "is not NAME://host:port")]
    [InlineData("PLAINTEXT://:1,PLAINTEXT://:2", null, null, "twice")]
    [InlineData("PLAINTEXT://broker.example:9092", null, null, "not an IP address")]
    [InlineData("SECURE://:9093", "SECURE:TLS", null, "is not NAME:PLAINTEXT")]
    [InlineData("PLAINTEXT://:9092", null, "OTHER://x:1", "does not have")]
    public void Refuses_configuration_it_cannot_follow_naming_the_setting(string listeners, string? map, string? advertised, string why)
    {
        var refused = Assert.Throws<ArgumentException>(() => KafkaListenerSpec.From(new HubSiloOptions
        {
            KafkaListeners = listeners, KafkaListenerSecurityProtocolMap = map, KafkaAdvertisedListeners = advertised,
        }));
        Assert.Contains(why, refused.Message);
    }
}
