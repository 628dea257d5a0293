using Hub.Errors;

namespace Hub.Security;

/// <summary>
/// Sets a user's credential for one mechanism. The password itself never leaves the client: it sends the salt it
/// chose and the salted password (SCRAM's Hi(password, salt, iterations)), as Kafka's AlterUserScramCredentials does.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScramCredentialUpsertion(
    [property: Id(0)] string User,
    [property: Id(1)] ScramMechanism Mechanism,
    [property: Id(2)] int Iterations,
    [property: Id(3)] byte[] Salt,
    [property: Id(4)] byte[] SaltedPassword);

/// <summary>Removes a user's credential for one mechanism.</summary>
[GenerateSerializer, Immutable]
public sealed record ScramCredentialDeletion([property: Id(0)] string User, [property: Id(1)] ScramMechanism Mechanism);

/// <summary>The outcome for one user named in a change: <see cref="ErrorCode.None"/> or why nothing changed for them.</summary>
[GenerateSerializer, Immutable]
public sealed record UserCredentialResult([property: Id(0)] string User, [property: Id(1)] ErrorCode Error, [property: Id(2)] string? Message);

/// <summary>One SCRAM credential a user has: its mechanism and iteration count (never the keys).</summary>
[GenerateSerializer, Immutable]
public sealed record ScramCredentialInfo([property: Id(0)] ScramMechanism Mechanism, [property: Id(1)] int Iterations);

/// <summary>A user's SCRAM credentials, or why they could not be described.</summary>
[GenerateSerializer, Immutable]
public sealed record UserScramCredentials(
    [property: Id(0)] string User,
    [property: Id(1)] ErrorCode Error,
    [property: Id(2)] string? Message,
    [property: Id(3)] IReadOnlyList<ScramCredentialInfo> Credentials);
