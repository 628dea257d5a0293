using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Apis;
using Hub.Silo.Kafka.Apis.Admin;
using Hub.Silo.Kafka.Apis.Transactions;
using Hub.Silo.Kafka.Apis.Groups;
using Hub.Silo.Kafka.Apis.Quotas;
using Hub.Silo.Quotas;
using Hub.Silo.Kafka.Apis.Records;
using Hub.Silo.Kafka.Apis.Records.Sessions;
using Hub.Silo.Kafka.Apis.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka;

internal static class KafkaSiloBuilderExtensions
{
    /// <summary>The Kafka protocol listener and the APIs it answers; opens when the silo becomes Active.</summary>
    public static ISiloBuilder AddKafkaListener(this ISiloBuilder silo)
    {
        var services = silo.Services;
        silo.AddOutgoingGrainCallFilter<RequestTimeGrainCallFilter>();
        services.AddSingleton<KafkaTopics>();
        services.AddSingleton<KafkaBrokers>();
        services.AddSingleton<IKafkaApi, ProduceApi>();
        services.AddSingleton(sp => new FetchSessionCache(sp.GetRequiredService<IOptions<HubSiloOptions>>().Value.FetchSessionCacheSlots, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IKafkaApi, FetchApi>();
        services.AddSingleton<IKafkaApi, ListOffsetsApi>();
        services.AddSingleton<IKafkaApi, OffsetForLeaderEpochApi>();
        services.AddSingleton<IKafkaApi, MetadataApi>();
        services.AddSingleton<IKafkaApi, DescribeTopicPartitionsApi>();
        services.AddSingleton<IKafkaApi, DescribeLogDirsApi>();
        services.AddSingleton<IKafkaApi, DeleteRecordsApi>();
        services.AddSingleton<IKafkaApi, ElectLeadersApi>();
        services.AddSingleton<IKafkaApi, CreateTopicsApi>();
        services.AddSingleton<IKafkaApi, DeleteTopicsApi>();
        services.AddSingleton<IKafkaApi, CreatePartitionsApi>();
        services.AddSingleton<IKafkaApi, DescribeConfigsApi>();
        services.AddSingleton<IKafkaApi, AlterConfigsApi>();
        services.AddSingleton<IKafkaApi, IncrementalAlterConfigsApi>();
        services.AddSingleton<IKafkaApi, InitProducerIdApi>();
        services.AddSingleton<IKafkaApi, AddPartitionsToTxnApi>();
        services.AddSingleton<IKafkaApi, AddOffsetsToTxnApi>();
        services.AddSingleton<IKafkaApi, EndTxnApi>();
        services.AddSingleton<IKafkaApi, TxnOffsetCommitApi>();
        services.AddSingleton<IKafkaApi, ListTransactionsApi>();
        services.AddSingleton<IKafkaApi, DescribeTransactionsApi>();
        services.AddSingleton<IKafkaApi, DescribeProducersApi>();
        services.AddSingleton<IKafkaApi, FindCoordinatorApi>();
        services.AddSingleton<IKafkaApi, JoinGroupApi>();
        services.AddSingleton<IKafkaApi, SyncGroupApi>();
        services.AddSingleton<IKafkaApi, HeartbeatApi>();
        services.AddSingleton<IKafkaApi, ConsumerGroupHeartbeatApi>();
        services.AddSingleton<IKafkaApi, ConsumerGroupDescribeApi>();
        services.AddSingleton<IKafkaApi, LeaveGroupApi>();
        services.AddSingleton<IKafkaApi, OffsetCommitApi>();
        services.AddSingleton<IKafkaApi, OffsetFetchApi>();
        services.AddSingleton<IKafkaApi, ListGroupsApi>();
        services.AddSingleton<IKafkaApi, DescribeGroupsApi>();
        services.AddSingleton<IKafkaApi, DeleteGroupsApi>();
        services.AddSingleton<IKafkaApi, OffsetDeleteApi>();
        services.AddSingleton<IKafkaApi, DescribeClusterApi>();
        services.AddSingleton<IKafkaApi, SaslHandshakeApi>();
        services.AddSingleton<IKafkaApi, SaslAuthenticateApi>();
        services.AddSingleton<IKafkaApi, DescribeUserScramCredentialsApi>();
        services.AddSingleton<IKafkaApi, AlterUserScramCredentialsApi>();
        services.AddSingleton<IKafkaApi, CreateAclsApi>();
        services.AddSingleton<IKafkaApi, DescribeAclsApi>();
        services.AddSingleton<IKafkaApi, DeleteAclsApi>();
        services.AddSingleton<KafkaAuthorizer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<KafkaAuthorizer>());
        services.AddSingleton<IKafkaApi, DescribeClientQuotasApi>();
        services.AddSingleton<IKafkaApi, AlterClientQuotasApi>();
        services.AddSingleton<ClientQuotas>();
        services.AddSingleton(sp => new KafkaApis(sp.GetServices<IKafkaApi>(), sp.GetRequiredService<ClientQuotas>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRequestHandler>(sp => sp.GetRequiredService<KafkaApis>());
        services.AddSingleton<KafkaListeners>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<KafkaListeners>());
        return silo;
    }
}
