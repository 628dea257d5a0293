using System.CommandLine;

namespace Hub.Cli.CommandLine;

/// <summary>
/// The global <c>--gateway host:port</c> option. Given neither on the command line nor in HUB_GATEWAY, the
/// gateways are localhost:30000. Each value may also list several gateways separated by commas.
/// </summary>
public static class GatewayOption
{
    public const string EnvironmentVariable = "HUB_GATEWAY";
    public const string DefaultGateway = "localhost:30000";

    public static Option<string[]> Create()
    {
        var option = new Option<string[]>("--gateway", "-g")
        {
            Description = $"Silo gateway host:port; repeatable. Default: ${EnvironmentVariable}, else {DefaultGateway}",
            Recursive = true,
            Arity = ArgumentArity.OneOrMore,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            foreach (var gateway in Split(token.Value))
            {
                if (!IsHostAndPort(gateway)) result.AddError($"gateway '{gateway}' is not of the form host:port");
            }
        });
        return option;
    }

    /// <summary>The gateways this invocation uses.</summary>
    public static string[] Get(ParseResult parse, Option<string[]> option) =>
        Resolve(parse.GetValue(option) ?? [], Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Those given as options, else those in the environment variable, else the default.</summary>
    public static string[] Resolve(IEnumerable<string> fromOptions, string? fromEnvironment)
    {
        var given = fromOptions.SelectMany(Split).ToArray();
        if (given.Length > 0) return given;
        var fromEnv = Split(fromEnvironment ?? "").ToArray();
        return fromEnv.Length > 0 ? fromEnv : [DefaultGateway];
    }

    /// <summary>"host:port" with a port in 1-65535; the host may be a bracketed IPv6 address.</summary>
    public static bool IsHostAndPort(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        return colon > 0 && int.TryParse(gateway.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535;
    }

    private static IEnumerable<string> Split(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
