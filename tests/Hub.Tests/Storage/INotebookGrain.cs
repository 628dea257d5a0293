namespace Hub.Tests.Storage;

/// <summary>Test grain whose state lives in the file storage provider under test.</summary>
public interface INotebookGrain : IGrainWithStringKey
{
    Task Append(string line);

    Task<IReadOnlyList<string>> Lines();

    Task Clear();
}
