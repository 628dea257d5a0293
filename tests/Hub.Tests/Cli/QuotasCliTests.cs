using Hub.Quotas;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Cli;

/// <summary><c>hub quotas set|list|delete</c> against a silo process, checked through the SDK.</summary>
public sealed class QuotasCliTests
{
    [Fact]
    public async Task Quotas_set_list_and_delete_round_trip()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var client = await silo.ConnectAsync();

        await HubCli.RunAsync(silo, null, HubCli.Timeout, "quotas", "set", "--client-id", "<default>", "--quota", "producer_byte_rate=1048576", "--quota", "consumer_byte_rate=2097152");
        await HubCli.RunAsync(silo, null, HubCli.Timeout, "quotas", "set", "--user", "alice", "--client-id", "billing", "--quota", "request_percentage=50");
        var quotas = await client.Admin.DescribeClientQuotasAsync();
        Assert.Equal(1048576, quotas.Single(q => q.Entity == new ClientQuotaEntity(null, ClientQuotaEntity.Default)).Values[ClientQuotaKeys.ProducerByteRate]);
        Assert.Equal(50, quotas.Single(q => q.Entity == new ClientQuotaEntity("alice", "billing")).Values[ClientQuotaKeys.RequestPercentage]);

        var listed = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "quotas", "list");
        Assert.Equal(["USER", "CLIENT-ID", "QUOTA", "VALUE"], listed[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(listed, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["<default>", "consumer_byte_rate", "2097152"]);
        Assert.Contains(listed, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["alice", "billing", "request_percentage", "50"]);

        await HubCli.RunAsync(silo, null, HubCli.Timeout, "quotas", "delete", "--client-id", "<default>", "--quota", "producer_byte_rate");
        await HubCli.RunAsync(silo, null, HubCli.Timeout, "quotas", "delete", "--user", "alice", "--client-id", "billing");
        var left = Assert.Single(await client.Admin.DescribeClientQuotasAsync());
        Assert.Equal(new ClientQuotaEntity(null, ClientQuotaEntity.Default), left.Entity);
        Assert.Equal([ClientQuotaKeys.ConsumerByteRate], left.Values.Keys);
    }
}
