using System.CommandLine;
using System.CommandLine.Invocation;
using Hub.Cli.CommandLine;
using Hub.Cli.Commands;
using Hub.Cli.Producing;

var gateway = GatewayOption.Create();
var connectTimeout = ConnectTimeoutOption.Create();
var identity = new ClientIdentityOptions();
var hub = new HubCommandRunner(gateway, connectTimeout, identity);
var root = new RootCommand("hub: command-line client for Hub, a Kafka-like event hub on Orleans")
{
    gateway,
    connectTimeout,
    TopicsCommands.Create(hub),
    GroupsCommands.Create(hub),
    TransactionsCommands.Create(hub),
    QuotasCommands.Create(hub),
    ProduceCommand.Create(hub),
    ConsumeCommand.Create(hub),
    DeadLettersCommands.Create(hub),
    PerfCommands.Create(hub),
    UsersCommands.Create(hub),
    AclsCommands.Create(hub),
};
foreach (var option in identity.All) root.Options.Add(option);
var parse = root.Parse(args);
// A mistyped command gets its error alone (with a suggestion for a typo), not the whole help text after it.
if (parse.Action is ParseErrorAction parseError) parseError.ShowHelp = false;
// Ctrl-C cancels the running command; give a producer the time to flush what it holds before the process is stopped.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = ProducerFlush.AfterInterrupt + TimeSpan.FromSeconds(5) };
return await parse.InvokeAsync(invocation);
