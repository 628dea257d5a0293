using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// The super user a silo with authorization on creates for itself as it starts (Hub:Authorization:BootstrapUser),
/// for tests that drive such a silo as its administrator.
/// </summary>
internal static class BootstrapAdmin
{
    public const string User = "admin";
    public const string Password = "admin-secret";

    public static HubCli.User Cli { get; } = new(User, Password);

    /// <summary>A silo process's environment: authorization on, admin its super user, made from a password file written into <paramref name="directory"/>.</summary>
    public static async Task<Dictionary<string, string>> SiloEnvironmentAsync(string directory)
    {
        var passwordFile = Path.Combine(directory, "admin-password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        return new Dictionary<string, string>
        {
            ["HUB_Hub__Authorization__Enabled"] = "true",
            ["HUB_Hub__Authorization__SuperUsers"] = "User:" + User,
            ["HUB_Hub__Authorization__BootstrapUser"] = User,
            ["HUB_Hub__Authorization__BootstrapPasswordFile"] = passwordFile,
        };
    }
}
