using System.Text.Json;
using System.Text.Json.Nodes;
using Hub.Faults.History;

namespace Hub.Faults.Runner;

/// <summary>Writes a run's history as JSON lines, one event a line, its type in "type" (e.g. {"type":"FaultStarted","At":...}).</summary>
internal static class HistoryFile
{
    public const string Name = "history.jsonl";

    public static void Write(string path, IEnumerable<HistoryEvent> events)
    {
        using var writer = new StreamWriter(path);
        foreach (var e in events)
        {
            var line = JsonSerializer.SerializeToNode(e, e.GetType())!.AsObject();
            line.Insert(0, "type", JsonValue.Create(e.GetType().Name));
            writer.WriteLine(line.ToJsonString());
        }
    }
}
