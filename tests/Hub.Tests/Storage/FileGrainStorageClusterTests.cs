using Hub.Tests.Support;
using Orleans.TestingHost;

namespace Hub.Tests.Storage;

/// <summary>The provider registered in a real silo, and state that outlives the silo.</summary>
public sealed class FileGrainStorageClusterTests
{
    [Fact]
    public async Task State_written_by_one_silo_is_read_by_the_next()
    {
        using var root = new TempDirectory();

        await using (var cluster = await StartCluster(root.Path))
        {
            var grain = cluster.GrainFactory.GetGrain<INotebookGrain>("orders/0");
            await grain.Append("first");
            await grain.Append("second");
        }

        var stateDirectory = System.IO.Path.Combine(root.Path, NotebookGrain.StateName);
        Assert.Single(Directory.GetFiles(stateDirectory, "*.state"));
        Assert.Empty(Directory.GetFiles(stateDirectory, "*.tmp"));

        await using (var cluster = await StartCluster(root.Path))
        {
            var grain = cluster.GrainFactory.GetGrain<INotebookGrain>("orders/0");
            Assert.Equal(["first", "second"], await grain.Lines());

            await grain.Clear();
            Assert.Empty(await grain.Lines());
            Assert.Empty(Directory.GetFiles(stateDirectory, "*.state"));
        }
    }

    private static async Task<TestCluster> StartCluster(string rootDirectory)
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[FileStorageSiloConfigurator.RootDirectoryKey] = rootDirectory;
        builder.AddSiloBuilderConfigurator<FileStorageSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
