// The fault-injection suite: real silos in network namespaces, real clients writing, faults from a printed seed,
// and a checker that every acknowledged record is read back exactly once and in order. Being built (issue 14).
Console.Error.WriteLine("hub-faults: not built yet");
return 2;
