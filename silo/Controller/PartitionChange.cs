using Hub.Topics;

namespace Hub.Silo.Controller;

/// <summary>A controller decision about one partition: its new assignment, to be stored and then sent to its replicas.</summary>
internal sealed record PartitionChange(string Topic, PartitionAssignment Assignment);
