using Hub.Streamiz.WordCount;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// dotnet Hub.Streamiz.WordCount.dll --BootstrapServers 127.0.0.1:9092 --ApplicationId wc --Input lines --Output counts
//     --Guarantee EXACTLY_ONCE --StateDir dir
// Runs until SIGTERM (closes the stream cleanly: last commit, leaves the group) or SIGKILL.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton(WordCountSettings.From(builder.Configuration));
builder.Services.AddHostedService<WordCountService>();
using var host = builder.Build();
await host.RunAsync();
