using System.Collections.Concurrent;
using System.Security.Cryptography;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Hub.Silo.Storage;

/// <summary>
/// Grain storage on local disk: one file per grain state at RootDirectory/&lt;stateName&gt;/&lt;grain id&gt;.state
/// (the id escaped by <see cref="GrainFileName"/>, the layout in <see cref="StateFileFormat"/>).
/// <para>
/// A write replaces the state file through <see cref="AtomicFile"/>, so after a crash the state file holds either
/// the old state or the new one, never a mix; a leftover ".tmp" is a write that never happened and is deleted
/// when the grain next reads its state.
/// </para>
/// <para>
/// The ETag is a random number drawn for each write and kept in the file. A write or clear whose ETag is not
/// the stored one (or that carries one when there is no file) throws <see cref="InconsistentStateException"/>,
/// fencing a stale activation. Random rather than a counter, so a state cleared and written again never
/// repeats an ETag a stale writer still holds.
/// </para>
/// </summary>
internal sealed class FileGrainStorage : IGrainStorage
{
    private const string StateExtension = ".state";

    /// <summary>
    /// Makes "check ETag, then rename" one step for writers in this process. Striped by path so the locks
    /// stay few however many grains there are; two grains sharing a stripe only wait on each other.
    /// </summary>
    private readonly SemaphoreSlim[] _pathLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>State directories known to exist (and to be durable in the root directory).</summary>
    private readonly ConcurrentDictionary<string, bool> _createdDirectories = new();

    private readonly string _rootDirectory;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;

    public FileGrainStorage(FileGrainStorageOptions options, IActivatorProvider activators)
    {
        _rootDirectory = Path.GetFullPath(options.RootDirectory);
        _serializer = options.GrainStorageSerializer
            ?? throw new ArgumentException($"{nameof(FileGrainStorageOptions.GrainStorageSerializer)} is not set", nameof(options));
        _activators = activators;
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = StatePath(stateName, grainId);
        byte[]? file;
        await LockFor(path).WaitAsync();
        try
        {
            file = await Task.Run(() =>
            {
                AtomicFile.DeleteTornWrite(path);
                return ReadFileOrNull(path);
            });
        }
        finally
        {
            LockFor(path).Release();
        }

        if (file is null)
        {
            SetAbsent(grainState);
            return;
        }
        var payload = StateFileFormat.ReadPayload(file, path);
        grainState.State = _serializer.Deserialize<T>(new BinaryData(payload)) ?? _activators.GetActivator<T>().Create();
        grainState.ETag = FormatEtag(StateFileFormat.ReadEtag(file, path));
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = StatePath(stateName, grainId);
        // Serialized here, on the grain's turn, so the state can't change under the serializer.
        var payload = _serializer.Serialize(grainState.State).ToMemory();
        ulong etag;
        await LockFor(path).WaitAsync();
        try
        {
            etag = await Task.Run(() =>
            {
                var stored = ReadStoredEtag(path);
                CheckEtag(path, stored, grainState.ETag);
                var next = NewEtag(stored);
                EnsureDirectory(Path.GetDirectoryName(path)!);
                AtomicFile.Write(path, StateFileFormat.Encode(next, payload.Span));
                return next;
            });
        }
        finally
        {
            LockFor(path).Release();
        }
        grainState.ETag = FormatEtag(etag);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = StatePath(stateName, grainId);
        await LockFor(path).WaitAsync();
        try
        {
            await Task.Run(() =>
            {
                var stored = ReadStoredEtag(path);
                CheckEtag(path, stored, grainState.ETag);
                if (stored is null) return;
                File.Delete(path);
                DirectorySync.Flush(Path.GetDirectoryName(path)!);
            });
        }
        finally
        {
            LockFor(path).Release();
        }
        SetAbsent(grainState);
    }

    private string StatePath(string stateName, GrainId grainId) =>
        Path.Combine(_rootDirectory, GrainFileName.From(stateName), GrainFileName.From(grainId.ToString()) + StateExtension);

    private SemaphoreSlim LockFor(string path) => _pathLocks[(uint)path.GetHashCode() % (uint)_pathLocks.Length];

    private void SetAbsent<T>(IGrainState<T> grainState)
    {
        grainState.State = _activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static void CheckEtag(string path, ulong? stored, string? expected)
    {
        var storedText = stored is { } value ? FormatEtag(value) : null;
        if (storedText != expected)
            throw new InconsistentStateException(
                $"grain state '{path}' was changed by someone else (stored ETag {storedText ?? "none"}, caller's {expected ?? "none"})",
                storedText, expected);
    }

    private static ulong NewEtag(ulong? previous)
    {
        ulong etag;
        do etag = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
        while (etag == previous);
        return etag;
    }

    private static string FormatEtag(ulong etag) => etag.ToString("x16");

    private static byte[]? ReadFileOrNull(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The ETag in the state file's header, or null when there is no file.</summary>
    private static ulong? ReadStoredEtag(string path)
    {
        try
        {
            using var file = File.OpenHandle(path);
            Span<byte> header = stackalloc byte[StateFileFormat.HeaderSize];
            var read = RandomAccess.Read(file, header, 0);
            return StateFileFormat.ReadEtag(header[..read], path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Creates a state directory once and makes its entry durable, and the root's in its parent in case the
    /// root was created with it.
    /// </summary>
    private void EnsureDirectory(string directory)
    {
        if (_createdDirectories.ContainsKey(directory)) return;
        Directory.CreateDirectory(directory);
        DirectorySync.Flush(_rootDirectory);
        if (Path.GetDirectoryName(_rootDirectory) is { } parent) DirectorySync.Flush(parent);
        _createdDirectories.TryAdd(directory, true);
    }
}
