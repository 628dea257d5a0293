namespace Hub.Cli.Commands;

/// <summary>Left-aligned columns padded to their widest cell, two spaces apart, for terminal output.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        _rows.Add(cells);
    }

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select((_, column) => _rows.Max(row => row[column].Length)).ToArray();
        foreach (var row in _rows)
            output.WriteLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
    }
}
