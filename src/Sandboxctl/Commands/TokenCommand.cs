using System.CommandLine;
using System.Security.Cryptography;
using System.Text;

namespace Sandboxd.Ctl.Commands;

/// <summary>`sandboxctl token new|hash`: bearer tokens for sandboxd.yaml, which stores only
/// their SHA-256 ("sha256:" + hex of the token's UTF-8 bytes, what the daemon compares).</summary>
internal static class TokenCommand
{
    public static Command Build()
    {
        var token = new Argument<string?>("token") { Description = "the token (default: the first line of stdin)", Arity = ArgumentArity.ZeroOrOne };
        var hash = new Command("hash", "print the hash of a token for a principal's tokens: list in sandboxd.yaml") { token };
        hash.SetAction(result =>
        {
            var text = result.GetValue(token) ?? Console.In.ReadLine()?.Trim() ?? "";
            if (text.Length < 16)
            {
                Console.Error.WriteLine("sandboxctl: a token must be at least 16 characters");
                return 2;
            }
            Console.WriteLine(Hash(text));
            return 0;
        });
        var generate = new Command("new", "print a new random token, then its hash on stderr");
        generate.SetAction(_ =>
        {
            var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            Console.WriteLine(fresh);
            Console.Error.WriteLine(Hash(fresh));
            return 0;
        });
        return new Command("token", "bearer tokens for TCP callers") { hash, generate };
    }

    private static string Hash(string token) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
