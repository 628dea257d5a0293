using Hub.Silo.Storage;
using Hub.Tests.Support;

namespace Hub.Tests.Storage;

/// <summary>One silo per data directory (issue 14 item 7); two real silo processes in <c>SiloDataDirectoryLockTests</c>.</summary>
public sealed class DataDirectoryLockTests : TempDirectoryTests
{
    [Fact]
    public void A_second_holder_is_refused_with_a_message_naming_the_directory_until_the_first_lets_go()
    {
        var first = DataDirectoryLock.Acquire(Temp.Path);

        var refused = Assert.Throws<InvalidOperationException>(() => DataDirectoryLock.Acquire(Temp.Path));
        Assert.Contains(Temp.Path, refused.Message);
        Assert.Contains("in use by another silo", refused.Message);

        first.Dispose();
        DataDirectoryLock.Acquire(Temp.Path).Dispose();
    }
}
