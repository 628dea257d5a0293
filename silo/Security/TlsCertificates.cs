using System.Security.Cryptography.X509Certificates;

namespace Hub.Silo.Security;

/// <summary>Loading a silo's certificate from files, and checking a peer's certificate against a private CA.</summary>
internal static class TlsCertificates
{
    /// <summary>
    /// A PEM file (the certificate, then any intermediates; the key too unless <paramref name="keyFile"/> is given,
    /// encrypted when <paramref name="password"/> is) or a PKCS#12 file (.p12, .pfx): the certificate with its key,
    /// and the rest of its chain.
    /// </summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain) Load(string file, string? keyFile, string? password)
    {
        if (file.EndsWith(".p12", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase))
        {
            var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(file, password);
            var leaf = all.FirstOrDefault(c => c.HasPrivateKey) ?? throw new ArgumentException($"{file} holds no certificate with a private key");
            all.Remove(leaf);
            return (leaf, all);
        }
        keyFile = string.IsNullOrWhiteSpace(keyFile) ? file : keyFile;
        var certificate = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(file, keyFile)
            : X509Certificate2.CreateFromEncryptedPemFile(file, password, keyFile);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(file);
        foreach (var same in chain.Where(c => c.Thumbprint == certificate.Thumbprint).ToList()) chain.Remove(same);
        return (certificate, chain);
    }

    /// <summary>The CA certificates in a PEM file; none (an empty or half-written file) is an error, not "trust nothing".</summary>
    public static X509Certificate2Collection Trusted(string pemFile)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(pemFile);
        if (trusted.Count == 0) throw new ArgumentException($"{pemFile} holds no PEM certificate");
        return trusted;
    }

    /// <summary>Whether the certificate chains to one of <paramref name="trusted"/> and is within its validity; revocation is not checked.</summary>
    public static bool ChainsTo(X509Certificate2Collection trusted, X509Certificate certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var parsed = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(parsed);
    }
}
