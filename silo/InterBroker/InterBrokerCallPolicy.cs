using System.Reflection;
using System.Text;

namespace Hub.Silo.InterBroker;

/// <summary>
/// Which grain calls only the cluster's silos may make, and whether a call came from one. Enforced on every silo by
/// <see cref="InterBrokerCallFilter"/>.
/// </summary>
internal static class InterBrokerCallPolicy
{
    /// <summary>
    /// Orleans names the client through which a silo's code outside any grain (hosted services, the Kafka front
    /// door, the silo's own <see cref="IGrainFactory"/>) makes calls "hosted-" followed by the silo's address
    /// (Orleans' <c>HostedClient.CreateHostedClientGrainId</c>); an Orleans client's own id is a random GUID.
    /// </summary>
    private static readonly byte[] HostedClientKeyPrefix = Encoding.UTF8.GetBytes("hosted-");

    private static readonly Assembly SiloAssembly = typeof(InterBrokerCallPolicy).Assembly;

    /// <summary>
    /// A method declared on a grain interface of the silo's own assembly (the <c>IInterBroker...</c> interfaces) is
    /// inter-broker: clients compile against the abstractions assembly only, so whatever the silo declares is
    /// not theirs to call, and a method added to such an interface is covered without being listed anywhere.
    /// Methods those interfaces inherit from the public ones (declared in abstractions) stay open.
    /// </summary>
    public static bool IsInterBroker(MethodInfo? interfaceMethod) => interfaceMethod?.DeclaringType?.Assembly == SiloAssembly;

    /// <summary>
    /// Whether a call whose sender is <paramref name="source"/> (the message's sending grain) came from a silo: from
    /// a grain or system target, or from a silo's hosted client. Calls from Orleans clients carry the client's id.
    /// </summary>
    public static bool IsFromSilo(GrainId? source) =>
        source is { } sender && (!sender.IsClient() || sender.Key.AsSpan().StartsWith(HostedClientKeyPrefix));

    /// <summary>Whether <see cref="InterBrokerCallFilter"/> refuses a call to <paramref name="interfaceMethod"/> from <paramref name="source"/>.</summary>
    public static bool Refuses(MethodInfo? interfaceMethod, GrainId? source) => IsInterBroker(interfaceMethod) && !IsFromSilo(source);
}
