using System.Security.Cryptography;
using Hub.Security;
using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Security;

/// <summary>
/// Creates <see cref="AuthorizationOptions.BootstrapUser"/> as the silo becomes active, unless the cluster already
/// has a credential for it: both SCRAM mechanisms, salted as <c>hub users create</c> salts them.
/// </summary>
internal sealed partial class BootstrapUser(IOptions<HubSiloOptions> options, IGrainFactory grains, ILogger<BootstrapUser> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Kafka's default iteration count, as the CLI's.</summary>
    private const int Iterations = 4096;

    /// <summary>Random salt per credential, as the CLI's: more than enough against precomputation.</summary>
    private const int SaltBytes = 32;

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (options.Value.Authorization.BootstrapUser is { Length: > 0 }) lifecycle.Subscribe(nameof(BootstrapUser), ServiceLifecycleStage.Active, CreateAsync);
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Authorization;
        var user = settings.BootstrapUser!;
        if (string.IsNullOrWhiteSpace(settings.BootstrapPasswordFile))
            throw new InvalidOperationException($"Hub:Authorization:BootstrapUser '{user}' needs Hub:Authorization:BootstrapPasswordFile");
        var password = (await File.ReadAllLinesAsync(settings.BootstrapPasswordFile, cancellationToken)).FirstOrDefault();
        if (string.IsNullOrEmpty(password)) throw new InvalidOperationException($"{settings.BootstrapPasswordFile} holds no password on its first line");
        if ((await grains.GetGrain<IInterBrokerCredentialsGrain>(0).CredentialsOf(user)).Count > 0) return;

        var upsertions = new[] { ScramMechanism.ScramSha256, ScramMechanism.ScramSha512 }.Select(mechanism =>
        {
            var salt = RandomNumberGenerator.GetBytes(SaltBytes);
            return new ScramCredentialUpsertion(user, mechanism, Iterations, salt, ScramFormulas.SaltedPassword(mechanism, password, salt, Iterations));
        }).ToList();
        var result = (await grains.GetGrain<IUserCredentialsGrain>(0).Alter([], upsertions)).Single();
        if (result.Error != Hub.Errors.ErrorCode.None) throw new InvalidOperationException($"creating the bootstrap user '{user}' failed: {result.Error} {result.Message}");
        LogCreated(user);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the bootstrap user '{User}' (Hub:Authorization:BootstrapUser)")]
    private partial void LogCreated(string user);
}
