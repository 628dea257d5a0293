namespace Hub.Tests.Kafka;

/// <summary>A version set as Kafka's message definitions write it: "none", "3+", "0-7" or "5".</summary>
internal readonly record struct VersionRange(short Min, short Max)
{
    public static readonly VersionRange None = new(1, 0);

    public bool Contains(short version) => version >= Min && version <= Max;

    public static VersionRange Parse(string? text)
    {
        if (text is null || text == "none") return None;
        if (text.EndsWith('+')) return new(short.Parse(text[..^1]), short.MaxValue);
        var dash = text.IndexOf('-');
        return dash < 0 ? new(short.Parse(text), short.Parse(text)) : new(short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
    }

    public override string ToString() => Min > Max ? "none" : Max == short.MaxValue ? $"{Min}+" : $"{Min}-{Max}";
}
