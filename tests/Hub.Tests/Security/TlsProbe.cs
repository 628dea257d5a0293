using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Hub.Tests.Security;

/// <summary>
/// A TLS client that takes whatever certificate a server shows and reports it: which certificate a listener or a
/// gateway serves a new connection right now.
/// </summary>
internal static class TlsProbe
{
    /// <summary>A handshake on loopback; long only for a loaded machine.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TLS over <paramref name="stream"/>, showing <paramref name="clientCertificate"/> if given. The server's
    /// certificate is accepted whatever it is: the tests compare it by thumbprint.
    /// </summary>
    public static async Task<SslStream> AuthenticateAsync(Stream stream, X509Certificate2? clientCertificate)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(HandshakeTimeout);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        return ssl;
    }

    /// <summary>The thumbprint of the certificate the server at 127.0.0.1:<paramref name="port"/> shows a new connection.</summary>
    public static async Task<string> ServerThumbprintAsync(int port, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var ssl = await AuthenticateAsync(tcp.GetStream(), clientCertificate);
        return ssl.RemoteCertificate!.GetCertHashString();
    }

    /// <summary>A certificate with its key from the PEM files infra/make-certs.sh writes.</summary>
    public static X509Certificate2 Load(string directory, string name) =>
        X509Certificate2.CreateFromPemFile(Path.Combine(directory, $"{name}.pem"), Path.Combine(directory, $"{name}-key.pem"));
}
