using Hub.Errors;
using Hub.Security;
using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Security;

/// <summary>
/// The cluster's SASL users (key 0): a shell around <see cref="UserCredentialChanges"/>. A change is stored before
/// anyone sees it; a write that fails (storage down, or an ETag conflict with another activation) ends this
/// activation and changes nothing, so the next one reads the store afresh.
/// </summary>
internal sealed partial class UserCredentialsGrain(
    [PersistentState("users", HubStorage.Name)] IPersistentState<UserCredentialsState> state,
    ILogger<UserCredentialsGrain> logger) : Grain, IUserCredentialsGrain, IInterBrokerCredentialsGrain
{
    public async Task<IReadOnlyList<UserCredentialResult>> Alter(IReadOnlyList<ScramCredentialDeletion> deletions, IReadOnlyList<ScramCredentialUpsertion> upsertions)
    {
        var (users, results) = UserCredentialChanges.Apply(state.State.Users, deletions, upsertions);
        if (results.All(r => r.Error != ErrorCode.None)) return results;
        var before = state.State.Users;
        state.State.Users = users;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            state.State.Users = before;
            LogWriteFailed(e);
            DeactivateOnIdle();
            throw new HubException(ErrorCode.CoordinatorNotAvailable, $"the user credentials could not be stored: {e.Message}");
        }
        _stored = users;
        return results;
    }

    public Task<IReadOnlyList<UserScramCredentials>> Describe(IReadOnlyList<string>? users) =>
        Task.FromResult(UserCredentialChanges.Describe(state.State.Users, users));

    /// <summary>
    /// The users as last stored: <see cref="CredentialsOf"/> interleaves with a change being written (a gateway call's
    /// credential is checked while that call holds this grain) and must not accept what may never be stored.
    /// </summary>
    private Dictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> _stored = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = state.State.Users;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<ScramMechanism, StoredScramCredential>> CredentialsOf(string user) =>
        Task.FromResult<IReadOnlyDictionary<ScramMechanism, StoredScramCredential>>(
            _stored.TryGetValue(user, out var credentials) ? credentials : new Dictionary<ScramMechanism, StoredScramCredential>());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the user credentials failed; ending this activation so the next one reads the store afresh")]
    private partial void LogWriteFailed(Exception exception);
}
