using Hub.Silo.Security;
using Hub.Tests.Log;
using Hub.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Security;

/// <summary>
/// When <see cref="ReloadedFromFiles{T}"/> looks at its files and loads them again, on a manual clock: not before the
/// check interval has passed, once per change, and a version that doesn't load is logged once and not taken.
/// </summary>
public sealed class ReloadedFromFilesTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new();
    private readonly CapturingLogger _logger = new();
    private int _loads;

    private string File => Path.Combine(_directory.Path, "value.txt");

    /// <summary>Like a certificate, the file's content loads only when it is whole: "ok ..." here.</summary>
    private string Load()
    {
        _loads++;
        var text = System.IO.File.ReadAllText(File);
        return text.StartsWith("ok ", StringComparison.Ordinal) ? text : throw new FormatException($"'{text}' is not ok");
    }

    private ReloadedFromFiles<string> Reloaded() => new("the test value", [File], Load, Interval, _time, _logger);

    /// <summary>A new version of the file as an operator writes it: beside, then renamed over the old one.</summary>
    private void Write(string content)
    {
        System.IO.File.WriteAllText(File + ".new", content);
        System.IO.File.Move(File + ".new", File, overwrite: true);
    }

    [Fact]
    public void A_changed_file_is_taken_only_once_the_interval_has_passed_and_loaded_once()
    {
        Write("ok first");
        var value = Reloaded();
        Write("ok second");

        Assert.Equal("ok first", value.Current);
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal("ok first", value.Current);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("ok second", value.Current);
        _time.Advance(Interval);
        Assert.Equal("ok second", value.Current);
        Assert.Equal(2, _loads);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Reloaded the test value"));
    }

    [Fact]
    public void A_version_that_does_not_load_is_logged_once_and_the_last_good_one_kept_until_the_file_changes_again()
    {
        Write("ok first");
        var value = Reloaded();

        Write("half writ");
        _time.Advance(Interval);
        Assert.Equal("ok first", value.Current);
        _time.Advance(Interval);
        Assert.Equal("ok first", value.Current);
        Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("'half writ' is not ok"));
        Assert.Equal(2, _loads);

        Write("ok third");
        _time.Advance(Interval);
        Assert.Equal("ok third", value.Current);
    }

    [Fact]
    public void A_file_that_does_not_load_at_start_throws()
    {
        Write("not ok");
        Assert.Throws<FormatException>(Reloaded);
    }

    public void Dispose() => _directory.Dispose();
}
