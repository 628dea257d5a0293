using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>A fact that runs only where rsyslog and its Kafka output are installed (infra/install-test-deps.sh installs them).</summary>
public sealed class RsyslogFactAttribute : FactAttribute
{
    public RsyslogFactAttribute()
    {
        if (!Rsyslog.IsInstalled) Skip = "rsyslog-kafka is not installed and infra/install-test-deps.sh could not install it";
    }
}

/// <summary>
/// rsyslogd (Debian's rsyslog 8.2302 with rsyslog-kafka: omkafka on librdkafka 2.0.2) in the foreground with a private
/// configuration, working directory and pid file: no system service, nothing of the machine's own logging touched.
/// </summary>
public static class Rsyslog
{
    // Debian's path: /usr/sbin is not on every user's PATH.
    private const string Program = "/usr/sbin/rsyslogd";

    public static bool IsInstalled { get; } =
        // omkafka sits in the multiarch library directory, /usr/lib/x86_64-linux-gnu/rsyslog on amd64.
        File.Exists(Program) && Directory.GetDirectories("/usr/lib").Any(d => File.Exists(Path.Combine(d, "rsyslog", "omkafka.so")));

    /// <summary>
    /// Starts rsyslogd shipping each line of <paramref name="file"/> (from its start, then as it grows) to
    /// <paramref name="topic"/> as one record whose value is the line; its state goes in <paramref name="directory"/>.
    /// </summary>
    public static BackgroundProcess ShipFile(string directory, string file, string bootstrap, string topic)
    {
        var work = Directory.CreateDirectory(Path.Combine(directory, "rsyslog")).FullName;
        var config = Path.Combine(work, "rsyslog.conf");
        // imfile reads the file; the ruleset keeps its lines away from anything else; %msg% is the line as read.
        File.WriteAllText(config, $$"""
            global(workDirectory="{{work}}")
            module(load="imfile")
            module(load="omkafka")
            template(name="line" type="string" string="%msg%")
            input(type="imfile" file="{{file}}" tag="hub" ruleset="ship")
            ruleset(name="ship") {
              action(type="omkafka" broker=["{{bootstrap}}"] topic="{{topic}}" template="line")
            }
            """);
        return BackgroundProcess.Start(Program, ["-n", "-f", config, "-i", Path.Combine(work, "rsyslogd.pid")]);
    }
}
