using System.CommandLine;
using Hub.Client;

namespace Hub.Cli.CommandLine;

/// <summary>
/// The global options that say who the CLI is to the cluster: <c>--tls-ca</c>, <c>--tls-cert</c>, <c>--tls-key</c>
/// (TLS to a gateway of silos with Hub:OrleansTls) and <c>--user</c> (the SCRAM user commands run as where
/// Hub:Authorization is on). Each not given falls back to its environment variable, as scripts set them. The
/// password has no option, so it never shows in a process listing or a shell's history: HUB_PASSWORD.
/// </summary>
public sealed class ClientIdentityOptions
{
    public const string CaVariable = "HUB_TLS_CA";
    public const string CertificateVariable = "HUB_TLS_CERT";
    public const string KeyVariable = "HUB_TLS_KEY";
    public const string UserVariable = "HUB_USER";
    public const string PasswordVariable = "HUB_PASSWORD";

    public Option<string?> Ca { get; } = Global("--tls-ca", "FILE", $"PEM file of the CAs the gateway's certificate must chain to. Default: ${CaVariable}");

    public Option<string?> Certificate { get; } = Global("--tls-cert", "FILE", $"PEM file of this client's certificate, for gateways that require one. Default: ${CertificateVariable}");

    public Option<string?> Key { get; } = Global("--tls-key", "FILE", $"PEM file of that certificate's private key. Default: ${KeyVariable}");

    public Option<string?> User { get; } = Global("--user", "NAME", $"User to run as where authorization is on; the password is read from ${PasswordVariable}. Default: ${UserVariable}");

    /// <summary>The options, to add to the root command.</summary>
    public IEnumerable<Option> All => [Ca, Certificate, Key, User];

    /// <summary>Sets the TLS files, user and password of <paramref name="client"/> from the options, else the environment.</summary>
    public void Apply(ParseResult parse, HubClientOptions client)
    {
        client.TlsTrustedCertificatesFile = Resolve(parse, Ca, CaVariable);
        client.TlsCertificateFile = Resolve(parse, Certificate, CertificateVariable);
        client.TlsKeyFile = Resolve(parse, Key, KeyVariable);
        client.Username = Resolve(parse, User, UserVariable);
        client.Password = Environment.GetEnvironmentVariable(PasswordVariable);
    }

    private static string? Resolve(ParseResult parse, Option<string?> option, string variable) =>
        parse.GetValue(option) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable(variable);

    private static Option<string?> Global(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description, Recursive = true };
}
