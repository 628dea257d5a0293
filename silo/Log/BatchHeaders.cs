using Hub.Batches;

namespace Hub.Silo.Log;

/// <summary>A look at produced bytes before they are validated: whether one of their batch headers says something.</summary>
internal static class BatchHeaders
{
    /// <summary>Walks the headers that can be read; a torn or overlong batch ends the walk (validation refuses it later).</summary>
    public static bool Any(ReadOnlySpan<byte> batches, Func<RecordBatchHeader, bool> says)
    {
        for (var position = 0; RecordBatchHeader.TryRead(batches[position..], out var header); position += header.TotalSize)
        {
            if (says(header)) return true;
            if (header.TotalSize <= 0 || header.TotalSize >= batches.Length - position) return false;
        }
        return false;
    }
}
