using System.Reflection;
using Hub.Grains;
using Hub.Silo.InterBroker;

namespace Hub.Tests.InterBroker;

public sealed class InterBrokerCallPolicyTests
{
    private static readonly GrainId Client = GrainId.Create(GrainTypePrefix.ClientPrefix, Guid.NewGuid().ToString("N"));
    private static readonly GrainId HostedClient = GrainId.Create(GrainTypePrefix.ClientPrefix, "hosted-S127.0.0.1:11111:123456789");
    private static readonly GrainId Grain = GrainId.Create("clustercontroller", "0");
    private static readonly GrainId SystemTarget = GrainId.Create(GrainTypePrefix.SystemTargetPrefix + "membership", "S127.0.0.1:11111:123456789");

    public static TheoryData<Type> SiloOnlyInterfaces =>
        [typeof(IInterBrokerPartitionGrain), typeof(IInterBrokerControllerGrain), typeof(IInterBrokerGroupGrain), typeof(IInterBrokerGroupDirectoryGrain)];

    [Theory]
    [MemberData(nameof(SiloOnlyInterfaces))]
    public void Every_method_a_silo_only_interface_declares_is_inter_broker_and_refused_to_clients(Type siloOnly)
    {
        var methods = siloOnly.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.True(InterBrokerCallPolicy.Refuses(m, Client), $"{siloOnly.Name}.{m.Name}"));
    }

    [Fact]
    public void Methods_of_the_public_interfaces_are_open_to_clients_even_through_a_silo_only_one()
    {
        var publicMethods = typeof(IPartitionGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.IsAssignableTo(typeof(IGrain)))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .ToArray();
        Assert.Contains(publicMethods, m => m.Name == nameof(IPartitionGrain.Append));
        Assert.All(publicMethods, m => Assert.False(InterBrokerCallPolicy.Refuses(m, Client), $"{m.DeclaringType!.Name}.{m.Name}"));
        // What a silo-only interface inherits is declared by the public one.
        Assert.False(InterBrokerCallPolicy.IsInterBroker(typeof(IInterBrokerPartitionGrain).GetInterfaces()
            .Select(i => i.GetMethod(nameof(IPartitionGrain.GetState))).Single(m => m is not null)));
    }

    [Fact]
    public void Grains_system_targets_and_a_silos_hosted_client_are_silos_while_a_client_or_an_unnamed_sender_is_not()
    {
        Assert.True(InterBrokerCallPolicy.IsFromSilo(Grain));
        Assert.True(InterBrokerCallPolicy.IsFromSilo(SystemTarget));
        Assert.True(InterBrokerCallPolicy.IsFromSilo(HostedClient));
        Assert.False(InterBrokerCallPolicy.IsFromSilo(Client));
        Assert.False(InterBrokerCallPolicy.IsFromSilo(null));
    }

    [Fact]
    public void A_silo_may_make_every_inter_broker_call()
    {
        var deleteLog = typeof(IInterBrokerPartitionGrain).GetMethod(nameof(IInterBrokerPartitionGrain.DeleteLog));
        Assert.False(InterBrokerCallPolicy.Refuses(deleteLog, Grain));
        Assert.False(InterBrokerCallPolicy.Refuses(deleteLog, HostedClient));
        Assert.True(InterBrokerCallPolicy.Refuses(deleteLog, Client));
    }
}
