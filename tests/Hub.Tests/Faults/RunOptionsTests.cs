using Hub.Faults.Faults;
using Hub.Faults.Runner;

namespace Hub.Tests.Faults;

public sealed class RunOptionsTests
{
    [Fact]
    public void Defaults_are_three_brokers_three_partitions_every_kind_for_five_minutes()
    {
        var options = RunOptions.Parse([]);

        Assert.Equal((3, 3, 3, 2), (options.Brokers, options.Partitions, options.ReplicationFactor, options.MinInsyncReplicas));
        Assert.Equal(FaultCatalog.Kinds, options.Kinds);
        Assert.Equal(TimeSpan.FromMinutes(5), options.EffectiveDuration);
        Assert.False(options.Keep);
    }

    [Fact]
    public void Options_are_read()
    {
        var options = RunOptions.Parse(["--seed", "12", "--faults", "300", "--kinds", "kill-leader, pause-broker", "--brokers", "5",
            "--partitions", "6", "--results", "out", "--keep"]);

        Assert.Equal(12, options.Seed);
        Assert.Equal(300, options.Faults);
        Assert.Null(options.EffectiveDuration);
        Assert.Equal(["kill-leader", "pause-broker"], options.Kinds);
        Assert.Equal((5, 6, "out", true), (options.Brokers, options.Partitions, options.Results, options.Keep));
    }

    [Fact]
    public void Without_transactions_the_coordinator_faults_are_left_out_and_naming_one_is_refused()
    {
        var options = RunOptions.Parse(["--no-transactions"]);

        Assert.False(options.Transactions);
        Assert.Equal(FaultCatalog.Kinds.Except(FaultCatalog.CoordinatorKinds), options.Kinds);
        Assert.Equal(["kill-leader"], RunOptions.Parse(["--no-transactions", "--kinds", "kill-leader"]).Kinds);
        Assert.Contains("kill-coordinator", Assert.Throws<ArgumentException>(() => RunOptions.Parse(["--no-transactions", "--kinds", "kill-coordinator"])).Message);
        Assert.True(RunOptions.Parse([]).Transactions);
    }

    [Fact]
    public void Replication_follows_a_small_cluster()
    {
        var options = RunOptions.Parse(["--brokers", "1"]);

        Assert.Equal((1, 1), (options.ReplicationFactor, options.MinInsyncReplicas));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("00:03:00", 180)]
    public void Durations_take_units(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RunOptions.ParseDuration(text));

    [Theory]
    [InlineData("--kinds", "kill-everything")]
    [InlineData("--duration", "soon")]
    [InlineData("--faults", "0")]
    [InlineData("--brokers", "-1")]
    [InlineData("--colour", "red")]
    public void Bad_options_are_refused(string option, string value) =>
        Assert.Throws<ArgumentException>(() => RunOptions.Parse([option, value]));

    [Fact]
    public void An_option_without_its_value_is_refused() => Assert.Throws<ArgumentException>(() => RunOptions.Parse(["--seed"]));
}
