using System.CommandLine;
using Hub.Client;
using Hub.Errors;

namespace Hub.Cli.CommandLine;

/// <summary>
/// Runs a command's body against a connected <see cref="HubClient"/> and turns every failure into one
/// "error: ..." line on stderr and exit code 1, so users never see a stack trace.
/// </summary>
/// <param name="identity">The TLS and user options; null (a test's command tree without them) takes the environment alone.</param>
public sealed class HubCommandRunner(Option<string[]> gatewayOption, Option<int?> connectTimeoutOption, ClientIdentityOptions? identity = null)
{
    private readonly ClientIdentityOptions _identity = identity ?? new ClientIdentityOptions();

    /// <summary>Exit code of a run stopped by Ctrl-C in a place that had nothing to finish (as shells report SIGINT).</summary>
    private const int Interrupted = 130;

    /// <param name="topic">The topic the command works on, if any, to name it when the cluster doesn't know it.</param>
    public async Task<int> RunAsync(ParseResult parse, string? topic, Func<HubClient, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        var gateways = GatewayOption.Get(parse, gatewayOption);
        var options = new HubClientOptions { Gateways = gateways.ToList() };
        _identity.Apply(parse, options);
        if (parse.GetValue(connectTimeoutOption) is { } seconds) options.ConnectTimeout = TimeSpan.FromSeconds(seconds);
        try
        {
            await using var client = await HubClient.ConnectAsync(options, ct);
            return await body(client, ct);
        }
        catch (HubConnectionException)
        {
            return Fail($"cannot reach Hub at {string.Join(", ", gateways)}; is a silo running there? " +
                $"(gave up after {options.ConnectTimeout.TotalSeconds:F0} s)");
        }
        catch (HubException e) when (e.Code == ErrorCode.UnknownTopicOrPartition && topic is not null)
        {
            return Fail($"topic '{topic}' does not exist");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Interrupted;
        }
        catch (Exception e)
        {
            // These messages are written for users (an ArgumentException is the SDK refusing a setting, such as
            // a too small --batch-size); anything else is unexpected but still gets one line, with its type.
            return Fail(e is HubException or CliException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return 1;
    }
}
