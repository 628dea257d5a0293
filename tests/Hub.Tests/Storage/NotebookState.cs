namespace Hub.Tests.Storage;

/// <summary>A small grain state with a list and a non-ASCII string, so serialization does some real work.</summary>
[GenerateSerializer]
public sealed class NotebookState
{
    [Id(0)] public List<string> Lines { get; set; } = [];

    [Id(1)] public string Title { get; set; } = "";
}
