namespace Hub.Tests.Support;

/// <summary>Base of tests on real files: each test gets a fresh <see cref="TempDirectory"/>, deleted after it.</summary>
public abstract class TempDirectoryTests : IDisposable
{
    protected TempDirectory Temp { get; } = new();

    /// <summary>A path in the test's directory.</summary>
    protected string PathOf(string name) => Path.Combine(Temp.Path, name);

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
