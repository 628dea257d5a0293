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
            await ProduceAndWaitForBothReplicasAsync(client, "tls-replicated", "both replicas are in sync, replicating over the silos' TLS link", GroupTesting.Bound);
        }

        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(null, null, RefusalTimeout)));
        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(In(certificates.Path, "ca.pem"), null, RefusalTimeout)));
        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(In(certificates.Path, "ca.pem"), otherCa.Path, RefusalTimeout)));
    }

    /// <summary>
    /// Silo-to-silo links after a rotation: a silo that knows only certificate B (and B's CA) joins a silo that
    /// started on A and then had its files replaced by B's. The older silo must serve B and trust B's CA on the
    /// link the new one makes, or the two can't replicate. Whether the older silo's own outbound link shows B is
    /// not certain here (Orleans may send both ways over the new silo's link): <see cref="OrleansTlsSelectorsTests"/>.
    /// </summary>
    [Fact]
    public async Task A_silo_whose_files_were_replaced_serves_and_trusts_the_new_certificate_for_a_silo_that_knows_only_it()
    {
        using var certificates = await CertificateSets.MakeAsync();
        var settings = new Dictionary<string, string>
        {
            ["Hub:OrleansTls:CertificateFile"] = certificates.LiveFile("server.pem"),
            ["Hub:OrleansTls:KeyFile"] = certificates.LiveFile("server-key.pem"),
            ["Hub:OrleansTls:TrustedCertificatesFile"] = certificates.LiveFile("ca.pem"),
            ["Hub:TlsFilesCheckInterval"] = "00:00:00.200",
        };
        await using var cluster = await RedisSiloCluster.StartAsync(1, settings);
        var b = TlsProbe.Load(certificates.B, "server").Thumbprint;

        certificates.MakeLive(certificates.B);
        await GroupTesting.WaitUntilAsync(async () => await TlsProbe.ServerThumbprintAsync(cluster.Silos[0].GatewayPort, TlsProbe.Load(certificates.B, "client")) == b,
            "the first silo shows a new connection B's certificate", TimeSpan.FromSeconds(30));
        var environment = settings.ToDictionary(e => "HUB_" + e.Key.Replace(":", "__"), e => e.Value);
        environment["HUB_Hub__Clustering__Provider"] = "Redis";
        environment["HUB_Hub__Clustering__RedisConnectionString"] = cluster.Redis.ConnectionString;
        // The joining silo's own files are B's copies: it has never seen A.
        environment["HUB_Hub__OrleansTls__CertificateFile"] = Path.Combine(certificates.B, "server.pem");
        environment["HUB_Hub__OrleansTls__KeyFile"] = Path.Combine(certificates.B, "server-key.pem");
        environment["HUB_Hub__OrleansTls__TrustedCertificatesFile"] = Path.Combine(certificates.B, "ca.pem");
        await using var joined = await SiloProcess.StartAsync(Path.Combine(cluster.DataPath, "broker-1"), 1, environment);

        await using var client = await HubClient.ConnectAsync(CertificateSets.ClientOptions(certificates.B, cluster.Silos[0].GatewayPort));
        // Two silos just joined on a loaded machine: longer than the usual bound.
        await ProduceAndWaitForBothReplicasAsync(client, "rotated-replicated", "both replicas are in sync over links made with B's certificate", TimeSpan.FromSeconds(60));
    }

    /// <summary>A topic with two replicas gets a record; both replicas must then be in sync, which needs the silos' links.</summary>
    private static async Task ProduceAndWaitForBothReplicasAsync(HubClient client, string topic, string what, TimeSpan timeout)
    {
        await client.Admin.CreateTopicAsync(topic, 1, replicationFactor: 2);
        await using (var producer = client.CreateProducer())
            await producer.ProduceAsync(topic, new ProducerRecord { Value = "over tls"u8.ToArray() });
        await GroupTesting.WaitUntilAsync(async () =>
        {
            var partition = (await client.Admin.DescribeTopicAsync(topic)).Metadata.Partitions[0];
            return partition.InSync.Length == 2;
        }, what, timeout);
    }
}
