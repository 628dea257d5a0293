using Hub.Client;
using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// Mutual TLS on Orleans' links (Hub:OrleansTls), on real silo processes: silos replicate to each other over it, and
/// the gateway serves only clients with a certificate from the cluster's CA.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class OrleansTlsTests
{
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Silos_replicate_over_mutual_tls_and_the_gateway_refuses_clients_without_the_clusters_certificate()
    {
        using var certificates = new TempDirectory();
        using var otherCa = new TempDirectory();
        foreach (var directory in new[] { certificates.Path, otherCa.Path })
        {
            var made = await ExternalProcess.RunAsync("bash", null, TimeSpan.FromSeconds(60),
                [Path.Combine(SiloProcess.RepositoryRoot, "infra", "make-certs.sh"), directory]);
            Assert.True(made.ExitCode == 0, made.Errors);
        }
        string In(string directory, string file) => Path.Combine(directory, file);

        await using var cluster = await RedisSiloCluster.StartAsync(2, new Dictionary<string, string>
        {
            ["Hub:OrleansTls:CertificateFile"] = In(certificates.Path, "server.pem"),
            ["Hub:OrleansTls:KeyFile"] = In(certificates.Path, "server-key.pem"),
            ["Hub:OrleansTls:TrustedCertificatesFile"] = In(certificates.Path, "ca.pem"),
        });
        var gateway = $"127.0.0.1:{cluster.Silos[0].GatewayPort}";
        HubClientOptions Client(string? ca, string? certificateDirectory, TimeSpan? timeout = null) => new()
        {
            Gateways = [gateway],
            ConnectTimeout = timeout ?? TimeSpan.FromSeconds(30),
            TlsTrustedCertificatesFile = ca,
            TlsCertificateFile = certificateDirectory is null ? null : In(certificateDirectory, "client.pem"),
            TlsKeyFile = certificateDirectory is null ? null : In(certificateDirectory, "client-key.pem"),
        };

        await using (var client = await HubClient.ConnectAsync(Client(In(certificates.Path, "ca.pem"), certificates.Path)))
        {
            await client.Admin.CreateTopicAsync("tls-replicated", 1, replicationFactor: 2);
            await using (var producer = client.CreateProducer())
                await producer.ProduceAsync("tls-replicated", new ProducerRecord { Value = "over tls"u8.ToArray() });
            await GroupTesting.WaitUntilAsync(async () =>
            {
                var partition = (await client.Admin.DescribeTopicAsync("tls-replicated")).Metadata.Partitions[0];
                return partition.InSync.Length == 2;
            }, "both replicas are in sync, replicating over the silos' TLS link");
        }

        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(null, null, RefusalTimeout)));
        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(In(certificates.Path, "ca.pem"), null, RefusalTimeout)));
        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(In(certificates.Path, "ca.pem"), otherCa.Path, RefusalTimeout)));
    }
}
