using System.Diagnostics;

namespace Hub.Tests.Support;

/// <summary>Runs a program nobody here wrote (kcat, node) to completion within a time bound and collects what it printed.</summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, string Output, string Errors);

    /// <summary>True when <paramref name="program"/> is found on PATH.</summary>
    public static bool IsOnPath(string program) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, program)));

    /// <summary>Runs <paramref name="program"/>, feeding it <paramref name="input"/>; kills it (and fails) after <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunAsync(string program, string? input, TimeSpan timeout, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{await errors}");
        }
        return new Result(process.ExitCode, await output, await errors);
    }
}
