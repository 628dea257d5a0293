using Hub.Client.Partitioning;

namespace Hub.Client.Producing;

/// <summary>
/// A topic a producer writes to: its partition queues once the topic's metadata has arrived, and until then
/// the records produced to it, parked in order, so producing never blocks on a metadata lookup.
/// </summary>
internal sealed class ProducerTopic(string name, INullKeyPartitioner nullKeyPartitioner)
{
    private readonly Lock _lock = new();
    private PartitionQueue[]? _partitions;
    private List<(ProducerRecord Record, PendingDelivery Delivery)>? _parked = [];
    private Exception? _failure;
    private Task? _opening;

    public string Name => name;

    public INullKeyPartitioner NullKeyPartitioner => nullKeyPartitioner;

    /// <summary>Null until the topic is open.</summary>
    public PartitionQueue[]? Partitions => Volatile.Read(ref _partitions);

    public int PartitionCount => Partitions?.Length ?? 0;

    /// <summary>Completes when the topic is open or has failed to open; null before anyone started opening it.</summary>
    public Task? Opening
    {
        get { lock (_lock) return _opening; }
    }

    /// <summary>Starts <paramref name="open"/> unless it was already started.</summary>
    public void EnsureOpening(Func<ProducerTopic, Task> open)
    {
        lock (_lock) _opening ??= open(this);
    }

    /// <summary>Keeps the record until the topic opens (or fails it); false when the topic is already open.</summary>
    public bool TryPark(ProducerRecord record, in PendingDelivery delivery)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                delivery.Fail(_failure);
                return true;
            }
            if (_parked is null) return false;
            _parked.Add((record, delivery));
            return true;
        }
    }

    /// <summary>Creates the partition queues, then routes the parked records, in the order they came.</summary>
    public void Open(int partitionCount, Func<ProducerTopic, int, PartitionQueue> createQueue,
        Action<ProducerTopic, PartitionQueue[], ProducerRecord, PendingDelivery> route)
    {
        lock (_lock)
        {
            var partitions = new PartitionQueue[partitionCount];
            for (var p = 0; p < partitionCount; p++) partitions[p] = createQueue(this, p);
            foreach (var (record, delivery) in _parked!) route(this, partitions, record, delivery);
            _parked = null;
            // Published last and under the lock, so no record can overtake the parked ones.
            Volatile.Write(ref _partitions, partitions);
        }
    }

    /// <summary>The topic could not be opened: its parked records, and any produced later, fail with <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        lock (_lock)
        {
            _failure = error;
            foreach (var (_, delivery) in _parked ?? []) delivery.Fail(error);
            _parked = null;
        }
    }

    /// <summary>Adds queues for partitions created since the topic opened (partitions are never removed).</summary>
    public void GrowTo(int partitionCount, Func<ProducerTopic, int, PartitionQueue> createQueue)
    {
        lock (_lock)
        {
            var current = _partitions;
            if (current is null || partitionCount <= current.Length) return;
            var grown = new PartitionQueue[partitionCount];
            current.CopyTo(grown, 0);
            for (var p = current.Length; p < partitionCount; p++) grown[p] = createQueue(this, p);
            Volatile.Write(ref _partitions, grown);
        }
    }
}
