namespace Hub.Faults.Workloads;

/// <summary>
/// One client library's way of writing a record to a partition with acks=all, behind <see cref="ProducerWorkload"/>:
/// the task completes with the offset the acknowledgement gave, or fails when the client gives up on the record.
/// Safe to call for several partitions at once.
/// </summary>
public interface IRecordSender : IAsyncDisposable
{
    Task<long> SendAsync(int partition, string value);
}
