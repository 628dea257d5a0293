using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>A fact that runs only where syslog-ng and its Kafka destination are found (infra/install-test-deps.sh unpacks them).</summary>
public sealed class SyslogNgFactAttribute : FactAttribute
{
    public SyslogNgFactAttribute()
    {
        if (SyslogNg.Root is null) Skip = "syslog-ng-mod-rdkafka is not installed and infra/install-test-deps.sh could not unpack it";
    }
}

/// <summary>
/// syslog-ng (Debian's 3.38 with syslog-ng-mod-rdkafka: kafka-c() on librdkafka 2.0.2) in the foreground with a private
/// configuration, persist file, pid file and control socket: no system service, nothing of the machine's own logging touched.
/// </summary>
public static class SyslogNg
{
    /// <summary>
    /// Where infra/install-test-deps.sh unpacks Debian's syslog-ng packages: they conflict with rsyslog's (both are the
    /// system log daemon), so they can't both be installed, while the unpacked binary runs beside an installed rsyslog.
    /// </summary>
    private const string UnpackedRoot = "/opt/hub-test-deps/syslog-ng";

    /// <summary>The file-system root holding usr/sbin/syslog-ng and its Kafka module: the unpacked one, else the system's; null if neither.</summary>
    public static string? Root { get; } = new[] { UnpackedRoot, "/" }.FirstOrDefault(root => KafkaModuleDirectory(root) is not null);

    /// <summary>
    /// Starts syslog-ng shipping each line of <paramref name="file"/> (from its start, then as it grows) to
    /// <paramref name="topic"/> as one record whose value is the line; its state goes in <paramref name="directory"/>.
    /// </summary>
    public static BackgroundProcess ShipFile(string directory, string file, string bootstrap, string topic)
    {
        var root = Root ?? throw new InvalidOperationException("syslog-ng is not installed");
        var work = Directory.CreateDirectory(Path.Combine(directory, "syslog-ng")).FullName;
        var config = Path.Combine(work, "syslog-ng.conf");
        // no-parse: the whole line is $MSG, not a syslog header and a message. kafka-c() is the C destination itself:
        // kafka(), the name the manual uses, is a wrapper in the SCL include files, which an unpacked tree doesn't find.
        File.WriteAllText(config, $$"""
            @version: 3.38
            source s_file { file("{{file}}" flags(no-parse)); };
            destination d_hub { kafka-c(bootstrap-servers("{{bootstrap}}") topic("{{topic}}") message("$MSG")); };
            log { source(s_file); destination(d_hub); };
            """);
        var library = Path.Combine(root, "usr", "lib", "syslog-ng");
        return BackgroundProcess.Start(Path.Combine(root, "usr", "sbin", "syslog-ng"),
        [
            "-F", "-f", config, $"--module-path={KafkaModuleDirectory(root)}", $"--persist-file={Path.Combine(work, "syslog-ng.persist")}",
            $"--pidfile={Path.Combine(work, "syslog-ng.pid")}", $"--control={Path.Combine(work, "syslog-ng.ctl")}",
            // Not root's capabilities: it reads one file of ours and connects to Hub.
            "--no-caps",
        ],
        // The binary looks for its own library in /usr/lib/syslog-ng, which in an unpacked tree is elsewhere.
        new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = library });
    }

    /// <summary>The versioned module directory (usr/lib/syslog-ng/3.38) holding the Kafka destination, under <paramref name="root"/>.</summary>
    private static string? KafkaModuleDirectory(string root)
    {
        var library = Path.Combine(root, "usr", "lib", "syslog-ng");
        return File.Exists(Path.Combine(root, "usr", "sbin", "syslog-ng")) && Directory.Exists(library)
            ? Directory.GetDirectories(library).FirstOrDefault(d => File.Exists(Path.Combine(d, "libkafka.so")))
            : null;
    }
}
