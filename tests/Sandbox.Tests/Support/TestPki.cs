using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary>A CA, a server certificate for 127.0.0.1 and a client certificate issued by it,
/// and a second CA with its own client certificate, all by openssl.</summary>
public sealed record TestPki(string CaCert, string ServerCert, string ServerKey, X509Certificate2Collection Ca,
    X509Certificate2Collection OtherCa, X509Certificate2 Client, X509Certificate2 ForeignClient)
{
    public static async Task<TestPki> MakeAsync(string dir)
    {
        async Task Run(params string[] args)
        {
            var start = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = dir };
            foreach (var a in args)
                start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            await output;
            Assert.True(p.ExitCode == 0, $"openssl {string.Join(' ', args)}: {error}");
        }

        async Task Ca(string name) => await Run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");

        async Task Leaf(string name, string ca, string extensions)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name + ".ext"), extensions);
            await Run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + name);
            await Run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
        }

        await Ca("ca");
        await Ca("other-ca");
        await Leaf("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        await Leaf("client", "ca", "extendedKeyUsage=clientAuth\n");
        await Leaf("foreign", "other-ca", "extendedKeyUsage=clientAuth\n");
        X509Certificate2Collection Load(string file)
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(Path.Combine(dir, file));
            return collection;
        }
        X509Certificate2 Pair(string name) => X509CertificateLoader.LoadPkcs12(
            X509Certificate2.CreateFromPemFile(Path.Combine(dir, name + ".crt"), Path.Combine(dir, name + ".key")).Export(X509ContentType.Pkcs12), null);
        return new TestPki(Path.Combine(dir, "ca.crt"), Path.Combine(dir, "server.crt"), Path.Combine(dir, "server.key"),
            Load("ca.crt"), Load("other-ca.crt"), Pair("client"), Pair("foreign"));
    }
}
