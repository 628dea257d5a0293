using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Hub.Tests.Cluster;

/// <summary>
/// The real clock plus a shift a test advances: the wall clock (<see cref="GetUtcNow"/>) jumps, while timestamps
/// and timers stay real, so the silo's timers and timeouts keep running as usual. A frozen fake clock would stop
/// every grain timer of the silo with it.
/// </summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    private long _shiftTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _shiftTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);
}

/// <summary>Gives the test silo a <see cref="ShiftedTimeProvider"/> as its <see cref="TimeProvider"/>; reach it through the silo's services.</summary>
public sealed class ShiftedClockSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSingleton<TimeProvider>(new ShiftedTimeProvider());
}
