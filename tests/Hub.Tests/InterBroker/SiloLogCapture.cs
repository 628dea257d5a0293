using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Hub.Tests.InterBroker;

/// <summary>
/// Keeps what a test silo logs at Warning and above, by category, so a test can see a refusal that left no other
/// trace (a one-way call's); configure it with <see cref="Configurator"/> and reach it through the silo's services.
/// </summary>
internal sealed class SiloLogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, string Message)> _entries = new();

    public IReadOnlyList<string> Messages(string category) => _entries.Where(e => e.Category == category).Select(e => e.Message).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<SiloLogCapture>();
            siloBuilder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<SiloLogCapture>());
        }
    }

    private sealed class Logger(SiloLogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) capture._entries.Enqueue((category, formatter(state, exception)));
        }
    }
}
