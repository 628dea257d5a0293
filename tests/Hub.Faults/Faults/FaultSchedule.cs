namespace Hub.Faults.Faults;

/// <summary>
/// Which kind of fault comes next, from the run's seed. Kinds come in rounds: each round is every chosen kind once,
/// in a random order, so even a short run covers every kind and a long one injects them equally often.
/// </summary>
internal sealed class FaultSchedule(IReadOnlyList<string> kinds, Random random)
{
    private readonly Queue<string> _round = new();

    public string Next()
    {
        if (_round.Count == 0)
        {
            var round = kinds.ToArray();
            random.Shuffle(round);
            foreach (var kind in round) _round.Enqueue(kind);
        }
        return _round.Dequeue();
    }
}
