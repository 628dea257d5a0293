namespace Hub.Faults.Workloads;

/// <summary>The repository this program was built in: the nearest directory above it holding Hub.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Hub.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Hub.sln above {AppContext.BaseDirectory}");
    }
}
