using Orleans.Runtime;

namespace Hub.Tests.Storage;

public sealed class NotebookGrain([PersistentState(NotebookGrain.StateName, NotebookGrain.StorageName)] IPersistentState<NotebookState> notebook)
    : Grain, INotebookGrain
{
    public const string StateName = "notebook";
    public const string StorageName = "files";

    public async Task Append(string line)
    {
        notebook.State.Lines.Add(line);
        await notebook.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> Lines() => Task.FromResult<IReadOnlyList<string>>(notebook.State.Lines);

    public Task Clear() => notebook.ClearStateAsync();
}
