namespace Hub.Faults.Checking;

/// <summary>How many transactions ended committed, aborted, or with an outcome their client could not know.</summary>
public readonly record struct TransactionTally(int Committed, int Aborted, int Unknown)
{
    public override string ToString() => $"{Committed}/{Aborted}/{Unknown}";
}
