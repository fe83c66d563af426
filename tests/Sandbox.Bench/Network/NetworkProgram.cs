namespace Sandboxd.Bench.Network;

/// <summary>The network mode of the bench program: runs <see cref="NetworkBench"/>, prints its
/// table and writes it next to the lifecycle table.</summary>
public static class NetworkProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sandboxd = Value(args, "--sandboxd");
        if (sandboxd is null)
        {
            await Console.Error.WriteLineAsync("usage: Sandbox.Bench network --sandboxd PATH [--out FILE]");
            return 2;
        }
        var output = Value(args, "--out") ?? "out/bench/network.md";
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
        await Console.Error.WriteLineAsync("sandboxd network bench: CONNECT latency, proxy throughput, create cost");
        var table = (await new NetworkBench(sandboxd).RunAsync()).Render(machine);
        Console.WriteLine(table);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, table);
        await Console.Error.WriteLineAsync($"written: {output}");
        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
