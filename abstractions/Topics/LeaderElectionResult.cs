using Hub.Errors;

namespace Hub.Topics;

/// <summary>What an ElectLeaders request did to one partition: <see cref="ErrorCode.None"/> when its leader changed.</summary>
[GenerateSerializer, Immutable]
public sealed record LeaderElectionResult(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] ErrorCode Error,
    [property: Id(3)] string? Message = null);
