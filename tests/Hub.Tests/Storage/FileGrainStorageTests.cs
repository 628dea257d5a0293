using Hub.Tests.Support;
using Hub.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Hub.Tests.Storage;

/// <summary>The provider on its own, against real files; each new provider instance stands for a silo restart.</summary>
public sealed class FileGrainStorageTests : IDisposable
{
    private const string StateName = "notebook";

    private readonly TempDirectory _root = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Written_state_is_read_back_by_a_new_provider()
    {
        var id = GrainId.Create("notebook", "a");
        var written = new GrainState<NotebookState>(new NotebookState { Title = "Zürich ☕", Lines = ["x", "y"] });
        await NewStorage().WriteStateAsync(StateName, id, written);

        var read = await ReadWithNewStorage(id);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("Zürich ☕", read.State.Title);
        Assert.Equal(["x", "y"], read.State.Lines);
    }

    [Fact]
    public async Task Missing_state_reads_as_a_fresh_instance()
    {
        var read = await ReadWithNewStorage(GrainId.Create("notebook", "never"));

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Empty(read.State.Lines);
    }

    [Fact]
    public async Task Each_write_changes_the_etag()
    {
        var storage = NewStorage();
        var id = GrainId.Create("notebook", "a");
        var state = new GrainState<NotebookState>(new NotebookState());

        await storage.WriteStateAsync(StateName, id, state);
        var first = state.ETag;
        await storage.WriteStateAsync(StateName, id, state);

        Assert.NotNull(first);
        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task A_stale_writer_is_fenced()
    {
        var id = GrainId.Create("notebook", "a");
        var current = new GrainState<NotebookState>(new NotebookState { Title = "current" });
        await NewStorage().WriteStateAsync(StateName, id, current);
        var stale = new GrainState<NotebookState>(new NotebookState { Title = "stale" }) { ETag = current.ETag };
        await NewStorage().WriteStateAsync(StateName, id, current);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => NewStorage().WriteStateAsync(StateName, id, stale));
        Assert.Equal(current.ETag, error.StoredEtag);

        Assert.Equal("current", (await ReadWithNewStorage(id)).State.Title);
    }

    [Fact]
    public async Task A_first_write_with_an_etag_is_fenced()
    {
        var state = new GrainState<NotebookState>(new NotebookState()) { ETag = "0123456789abcdef" };

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => NewStorage().WriteStateAsync(StateName, GrainId.Create("notebook", "a"), state));
    }

    [Fact]
    public async Task Clear_deletes_the_file_and_resets_the_state()
    {
        var storage = NewStorage();
        var id = GrainId.Create("notebook", "a");
        var state = new GrainState<NotebookState>(new NotebookState { Title = "t" });
        await storage.WriteStateAsync(StateName, id, state);

        await storage.ClearStateAsync(StateName, id, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal("", state.State!.Title);
        Assert.Empty(StateFiles());
        Assert.False((await ReadWithNewStorage(id)).RecordExists);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_is_fenced_and_keeps_the_file()
    {
        var storage = NewStorage();
        var id = GrainId.Create("notebook", "a");
        var state = new GrainState<NotebookState>(new NotebookState());
        await storage.WriteStateAsync(StateName, id, state);
        var stale = new GrainState<NotebookState>(new NotebookState()) { ETag = state.ETag };
        await storage.WriteStateAsync(StateName, id, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, id, stale));
        Assert.Single(StateFiles());
    }

    [Fact]
    public async Task A_cleared_state_fences_writers_that_saw_it_before()
    {
        var storage = NewStorage();
        var id = GrainId.Create("notebook", "a");
        var state = new GrainState<NotebookState>(new NotebookState());
        await storage.WriteStateAsync(StateName, id, state);
        var stale = new GrainState<NotebookState>(new NotebookState()) { ETag = state.ETag };
        await storage.ClearStateAsync(StateName, id, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, stale));
    }

    [Fact]
    public async Task Odd_grain_ids_get_distinct_safe_files()
    {
        var storage = NewStorage();
        string[] keys = ["a/b", "a_2Fb", "../../etc/passwd", "spaces and\ttabs", "émoji 🚀", ".", new string('k', 1000), new string('k', 999) + "j"];
        foreach (var key in keys)
            await storage.WriteStateAsync(StateName, GrainId.Create("notebook", key), new GrainState<NotebookState>(new NotebookState { Title = key }));

        var files = StateFiles();
        Assert.Equal(keys.Length, files.Length);
        Assert.All(files, file => Assert.Equal(System.IO.Path.Combine(_root.Path, StateName), System.IO.Path.GetDirectoryName(file)));
        Assert.All(files, file => Assert.True(System.IO.Path.GetFileName(file).Length <= 255));
        foreach (var key in keys)
            Assert.Equal(key, (await ReadWithNewStorage(GrainId.Create("notebook", key))).State.Title);
    }

    [Fact]
    public async Task A_torn_temp_file_is_ignored_and_removed()
    {
        var storage = NewStorage();
        var id = GrainId.Create("notebook", "a");
        await storage.WriteStateAsync(StateName, id, new GrainState<NotebookState>(new NotebookState { Title = "kept" }));
        var statePath = Assert.Single(StateFiles());
        await File.WriteAllBytesAsync(statePath + ".tmp", [1, 2, 3]);

        var read = await ReadWithNewStorage(id);

        Assert.Equal("kept", read.State.Title);
        Assert.False(File.Exists(statePath + ".tmp"));
    }

    [Fact]
    public async Task A_damaged_file_fails_the_read_instead_of_losing_state()
    {
        var storage = NewStorage();
        var id = GrainId.Create("notebook", "a");
        await storage.WriteStateAsync(StateName, id, new GrainState<NotebookState>(new NotebookState { Title = "kept" }));
        var statePath = Assert.Single(StateFiles());
        var bytes = await File.ReadAllBytesAsync(statePath);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(statePath, bytes);

        await Assert.ThrowsAsync<InvalidDataException>(() => NewStorage().ReadStateAsync(StateName, id, new GrainState<NotebookState>()));
    }

    private FileGrainStorage NewStorage() => new(
        new FileGrainStorageOptions
        {
            RootDirectory = _root.Path,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
        },
        _services.GetRequiredService<IActivatorProvider>());

    /// <summary>Reads the state as a restarted silo would; the state is never null, absent or not.</summary>
    private async Task<(NotebookState State, string? ETag, bool RecordExists)> ReadWithNewStorage(GrainId id)
    {
        var read = new GrainState<NotebookState>();
        await NewStorage().ReadStateAsync(StateName, id, read);
        Assert.NotNull(read.State);
        return (read.State, read.ETag, read.RecordExists);
    }

    private string[] StateFiles() => Directory.GetFiles(System.IO.Path.Combine(_root.Path, StateName), "*.state");
}
