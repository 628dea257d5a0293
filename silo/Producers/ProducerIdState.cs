// Stored by name: the silo's JSON grain storage writes this type's full name ("$type") into every state file
// and Redis entry, and resolves it on read, so the type keeps the namespace it was first stored under.
namespace Hub.Silo.Grains;

/// <summary>Producer ids below this have been (or may have been) handed out.</summary>
[GenerateSerializer]
internal sealed class ProducerIdState
{
    [Id(0)]
    public long ReservedUntil { get; set; }
}
