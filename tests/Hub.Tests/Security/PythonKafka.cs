using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>A theory that runs only where Debian's kafka-python is installed (infra/install-test-deps.sh installs it).</summary>
public sealed class PythonKafkaTheoryAttribute : TheoryAttribute
{
    public PythonKafkaTheoryAttribute()
    {
        if (!PythonKafka.IsInstalled) Skip = "python3-kafka is not installed and infra/install-test-deps.sh could not install it";
    }
}

/// <summary>A fact that runs only where Debian's kafka-python is installed.</summary>
public sealed class PythonKafkaFactAttribute : FactAttribute
{
    public PythonKafkaFactAttribute()
    {
        if (!PythonKafka.IsInstalled) Skip = "python3-kafka is not installed and infra/install-test-deps.sh could not install it";
    }
}

/// <summary>Runs the scripts in tests/python with Debian's python3 and its python3-kafka (kafka-python 2.0.2, nobody's here).</summary>
public static class PythonKafka
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    // Debian's interpreter, where python3-kafka is installed: a python3 earlier on PATH (pyenv) would not find it.
    private const string Python = "/usr/bin/python3";

    public static bool IsInstalled { get; } = File.Exists(Python) && Directory.Exists("/usr/lib/python3/dist-packages/kafka");

    public static Task<ExternalProcess.Result> ProduceAsync(string bootstrap, string caFile, string mechanism, string user, string password, string topic, string value) =>
        ExternalProcess.RunAsync(Python, null, Timeout,
            [Path.Combine(SiloProcess.RepositoryRoot, "tests", "python", "produce.py"), bootstrap, caFile, mechanism, user, password, topic, value]);

    /// <summary>Ten records, then two members of a group in turn, committing as they read (tests/python/group.py): its JSON result.</summary>
    public static Task<ExternalProcess.Result> GroupAsync(string bootstrap, string topic, string group) =>
        ExternalProcess.RunAsync(Python, null, Timeout, [Path.Combine(SiloProcess.RepositoryRoot, "tests", "python", "group.py"), bootstrap, topic, group]);

    /// <summary>Sets one topic config with AlterConfigs and reads it back: stdout "altered ERROR_CODE" then "described VALUE".</summary>
    public static Task<ExternalProcess.Result> AlterConfigsAsync(string bootstrap, string topic, string name, string value) =>
        ExternalProcess.RunAsync(Python, null, Timeout,
            [Path.Combine(SiloProcess.RepositoryRoot, "tests", "python", "alter_configs.py"), bootstrap, topic, name, value]);
}
