using Hub.Silo.Storage;

namespace Hub.Tests.Storage;

public sealed class GrainFileNameTests
{
    [Theory]
    [InlineData("notebook/orders-1.x", "notebook_2Forders-1.x")]
    [InlineData("a_b", "a_5Fb")]
    [InlineData("é", "_C3_A9")]
    [InlineData("", "")]
    public void Escapes_everything_but_letters_digits_dot_and_dash(string id, string expected) =>
        Assert.Equal(expected, GrainFileName.From(id));

    [Fact]
    public void A_long_id_keeps_a_readable_prefix_and_a_hash()
    {
        var name = GrainFileName.From(new string('k', 1000));

        Assert.StartsWith(new string('k', 100), name);
        Assert.Contains('~', name);
        Assert.True(name.Length <= 200);
        Assert.NotEqual(name, GrainFileName.From(new string('k', 999) + "j"));
    }
}
