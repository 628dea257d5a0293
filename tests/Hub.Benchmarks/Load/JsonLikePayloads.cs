using System.Text;

namespace Hub.Benchmarks.Load;

/// <summary>
/// Compressible record values for the compression scenario: JSON-like event text (an order or click event with an
/// id, user, action, item, quantity, region, timestamp and a few words of note), each exactly the record size, as
/// many applications write. Values are drawn from small vocabularies with a fixed seed, so every run and every
/// client sends the same bytes, and records differ from each other (cycling through <see cref="Distinct"/> of them),
/// so a batch compresses as real events do rather than as one value repeated.
/// </summary>
public static class JsonLikePayloads
{
    /// <summary>Distinct values a load cycles through: many more than a batch holds, few enough to build up front.</summary>
    public const int Distinct = 4096;

    private const int Seed = 20261207;

    private static readonly string[] Actions = ["page_view", "add_to_cart", "checkout", "search", "login", "logout", "refund", "review"];
    private static readonly string[] Regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"];
    private static readonly string[] Words = ["fast", "delivery", "gift", "wrap", "express", "standard", "member", "coupon", "sale", "return", "store", "online"];

    /// <summary><see cref="Distinct"/> values of exactly <paramref name="size"/> bytes (UTF-8, ASCII only).</summary>
    public static byte[][] Create(int size)
    {
        var random = new Random(Seed);
        var values = new byte[Distinct][];
        var ts = 1_765_090_000_000L;
        for (var i = 0; i < values.Length; i++)
        {
            ts += random.Next(0, 50);
            var text = new StringBuilder();
            text.Append($"{{\"id\":{100_000 + i},\"user\":\"user-{random.Next(0, 5000):D4}\",\"action\":\"{Actions[random.Next(Actions.Length)]}\"");
            text.Append($",\"item\":\"sku-{random.Next(0, 20000):D5}\",\"qty\":{random.Next(1, 10)},\"region\":\"{Regions[random.Next(Regions.Length)]}\",\"ts\":{ts}");
            text.Append(",\"note\":\"");
            while (text.Length < size) text.Append(Words[random.Next(Words.Length)]).Append(' ');
            text.Length = size - 2;
            text.Append("\"}");
            values[i] = Encoding.ASCII.GetBytes(text.ToString());
        }
        return values;
    }

    /// <summary>The values one after another, for the C driver (Native/rdkafka_load.c), which cycles through them.</summary>
    public static string WriteFile(byte[][] values, string directory)
    {
        var path = Path.Combine(directory, $"payloads-{values[0].Length}b.bin");
        using var file = File.Create(path);
        foreach (var value in values) file.Write(value);
        return path;
    }
}
