using Hub.Cli.CommandLine;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// The built <c>hub</c> CLI's --tls-ca, --tls-cert, --tls-key and --user against a silo process with Hub:OrleansTls
/// and authorization on: the options reach the gateway, they win over HUB_TLS_* and HUB_USER, and those still serve
/// when no option is given.
/// </summary>
public sealed class CliTlsOptionsTests
{
    /// <summary>Past the CLI's 10 s default, which a loaded machine has missed, inside <see cref="HubCli.Timeout"/>.</summary>
    private const string ConnectSeconds = "25";

    /// <summary>For runs that must fail: a refused TLS handshake is retried until the connect timeout.</summary>
    private const string RefusedConnectSeconds = "5";

    [Fact]
    public async Task Tls_files_and_the_user_come_from_the_options_over_the_environment_and_from_the_environment_without_them()
    {
        using var certificates = await CertificateSets.MakeAsync();
        using var data = new TempDirectory();
        string A(string file) => Path.Combine(certificates.A, file);
        string B(string file) => Path.Combine(certificates.B, file);
        var environment = await BootstrapAdmin.SiloEnvironmentAsync(data.Path);
        environment["HUB_Hub__OrleansTls__CertificateFile"] = A("server.pem");
        environment["HUB_Hub__OrleansTls__KeyFile"] = A("server-key.pem");
        environment["HUB_Hub__OrleansTls__TrustedCertificatesFile"] = A("ca.pem");
        await using var silo = await SiloProcess.StartAsync(Path.Combine(data.Path, "silo"), environment: environment);
        Task<ExternalProcess.Result> Hub(Dictionary<string, string> environment, string connectSeconds, params string[] arguments) =>
            HubCli.TryRunAsync(silo, environment, null, HubCli.Timeout, connectSeconds, arguments);
        string[] TlsOptions(Func<string, string> set) => ["--tls-ca", set("ca.pem"), "--tls-cert", set("client.pem"), "--tls-key", set("client-key.pem")];
        var password = new Dictionary<string, string> { [ClientIdentityOptions.PasswordVariable] = BootstrapAdmin.Password };

        var created = await Hub(password, ConnectSeconds, ["topics", "create", "cli-tls", .. TlsOptions(A), "--user", BootstrapAdmin.User]);
        Assert.True(created.ExitCode == 0, created.Errors);

        // The environment points at B's files and another user: the options win.
        var overEnvironment = new Dictionary<string, string>(password)
        {
            [ClientIdentityOptions.CaVariable] = B("ca.pem"),
            [ClientIdentityOptions.CertificateVariable] = B("client.pem"),
            [ClientIdentityOptions.KeyVariable] = B("client-key.pem"),
            [ClientIdentityOptions.UserVariable] = "nobody",
        };
        var listed = await Hub(overEnvironment, ConnectSeconds, ["topics", "list", .. TlsOptions(A), "--user", BootstrapAdmin.User]);
        Assert.True(listed.ExitCode == 0, listed.Errors);
        Assert.Contains("cli-tls", listed.Output);

        // No options: the environment, as before the options existed.
        var fromEnvironment = new Dictionary<string, string>(password)
        {
            [ClientIdentityOptions.CaVariable] = A("ca.pem"),
            [ClientIdentityOptions.CertificateVariable] = A("client.pem"),
            [ClientIdentityOptions.KeyVariable] = A("client-key.pem"),
            [ClientIdentityOptions.UserVariable] = BootstrapAdmin.User,
        };
        var listedFromEnvironment = await Hub(fromEnvironment, ConnectSeconds, "topics", "list");
        Assert.True(listedFromEnvironment.ExitCode == 0, listedFromEnvironment.Errors);
        Assert.Contains("cli-tls", listedFromEnvironment.Output);

        // Without the cluster's certificate the gateway refuses; with it, another user's password doesn't pass.
        var withoutTls = await Hub(password, RefusedConnectSeconds, "topics", "list", "--user", BootstrapAdmin.User);
        Assert.NotEqual(0, withoutTls.ExitCode);
        Assert.Contains("cannot reach Hub", withoutTls.Errors);
        var wrongUser = await Hub(password, ConnectSeconds, ["topics", "list", .. TlsOptions(A), "--user", "nobody"]);
        Assert.NotEqual(0, wrongUser.ExitCode);
        Assert.Contains("invalid username or password", wrongUser.Errors);
    }
}
