using System.Text.RegularExpressions;

namespace Hub.Faults.Cluster;

/// <summary>
/// A run's claim on a slot number (its names and subnet, see <see cref="NetworkLayout"/>): an owner file holding the
/// runner's process id. A slot whose owner is gone (the runner crashed or was killed) is a leftover: its
/// processes, namespaces and links are removed before anything new is set up.
/// </summary>
internal sealed partial class RunSlot : IDisposable
{
    private const string OwnersDirectory = "/run/hub-faults";

    private readonly string _ownerFile;

    private RunSlot(int number, string ownerFile)
    {
        Number = number;
        _ownerFile = ownerFile;
    }

    public int Number { get; }

    /// <summary>Removes every leftover of runs whose runner is gone, then claims the lowest free slot.</summary>
    public static RunSlot Claim()
    {
        Directory.CreateDirectory(OwnersDirectory);
        RemoveLeftovers();
        for (var slot = 0; slot < NetworkLayout.MaxSlots; slot++)
        {
            var file = OwnerFile(slot);
            // Written aside and moved in, so another run never reads an owner file without its process id.
            var claim = $"{file}.{Environment.ProcessId}";
            File.WriteAllText(claim, $"{Environment.ProcessId}\n");
            try
            {
                File.Move(claim, file, overwrite: false);
                return new RunSlot(slot, file);
            }
            catch (IOException) when (File.Exists(file))
            {
                // Taken by a live run (leftovers of dead ones were removed above).
            }
            finally
            {
                File.Delete(claim);
            }
        }
        throw new InvalidOperationException($"all {NetworkLayout.MaxSlots} run slots are taken (see {OwnersDirectory})");
    }

    /// <summary>Removes this run's processes, namespaces and links, then gives the slot up.</summary>
    public void Dispose()
    {
        RemoveNetwork(Number);
        File.Delete(_ownerFile);
    }

    private static void RemoveLeftovers()
    {
        var slots = new HashSet<int>();
        foreach (var name in Commands.Run("ip", "netns", "list").Split('\n').Select(line => line.Split(' ')[0])
                     .Concat(LinkNames()))
            if (SlotName().Match(name) is { Success: true } match) slots.Add(int.Parse(match.Groups[1].Value));
        foreach (var file in Directory.GetFiles(OwnersDirectory, "slot-*"))
        {
            if (int.TryParse(Path.GetFileName(file)["slot-".Length..], out var slot)) slots.Add(slot);
            // slot-N.PID: a claim being made, or left by a runner that died making it.
            else if (int.TryParse(Path.GetExtension(file).TrimStart('.'), out var pid) && !Signals.IsAlive(pid)) File.Delete(file);
        }
        foreach (var slot in slots.Where(slot => !OwnerIsAlive(slot)))
        {
            Console.Error.WriteLine($"removing leftovers of an earlier run in slot {slot}");
            RemoveNetwork(slot);
            File.Delete(OwnerFile(slot));
        }
    }

    /// <summary>Kills every process in the slot's namespaces (silos, the store), then deletes namespaces and links.</summary>
    private static void RemoveNetwork(int slot)
    {
        var prefix = $"{NetworkLayout.NamePrefix}{slot}";
        var namespaces = Commands.Run("ip", "netns", "list").Split('\n').Select(line => line.Split(' ')[0])
            .Where(name => name.StartsWith($"{prefix}-", StringComparison.Ordinal)).ToList();
        foreach (var ns in namespaces)
        {
            var (_, pids, _) = Commands.TryRun("ip", "netns", "pids", ns);
            foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Signals.Send(int.Parse(pid), Signals.Kill);
        }
        foreach (var ns in namespaces) Commands.TryRun("ip", "netns", "del", ns);
        foreach (var link in LinkNames().Where(name => SlotName().Match(name) is { Success: true } match && int.Parse(match.Groups[1].Value) == slot))
            Commands.TryRun("ip", "link", "del", link);
    }

    private static IEnumerable<string> LinkNames() => Commands.Run("ip", "-o", "link", "show").Split('\n')
        .Select(line => line.Split(": ") is [_, var name, ..] ? name.Split('@')[0] : "");

    private static bool OwnerIsAlive(int slot)
    {
        try
        {
            var pid = int.Parse(File.ReadAllText(OwnerFile(slot)).Trim());
            // A reused process id belongs to some other program: only a runner's own counts.
            return pid == Environment.ProcessId
                || (Signals.IsAlive(pid) && File.ReadAllText($"/proc/{pid}/cmdline").Contains("Hub.Faults", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string OwnerFile(int slot) => Path.Combine(OwnersDirectory, $"slot-{slot}");

    /// <summary>A namespace or link of some run: the prefix, the slot, then "-" (namespaces), "br", "st" or "b" (links).</summary>
    [GeneratedRegex($"^{NetworkLayout.NamePrefix}(\\d+)(-|br$|st$|b\\d+$)")]
    private static partial Regex SlotName();
}
