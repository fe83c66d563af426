using System.Diagnostics;
using System.Globalization;
using Sandboxd.LayerBench;

// usage: Sandbox.LayerBench TRUE_STATIC_BINARY [N]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Sandbox.LayerBench TRUE_STATIC_BINARY [N]");
    return 2;
}
int n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var root = Directory.CreateTempSubdirectory("sbxlayers-").FullName;
File.SetUnixFileMode(root, (UnixFileMode)0x1ED); // searchable by user-namespace sandboxes
try
{
    var rows = new Layers(args[0], root, n).Run();
    Console.WriteLine($"Per-layer cost, measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, nproc {Environment.ProcessorCount}, n={n} (idle rows: 100 ms apart)");
    Console.WriteLine();
    Console.WriteLine("| step | n | p50 | p99 | adds (p50) |");
    Console.WriteLine("|---|---:|---:|---:|---|");
    foreach (var r in rows)
        Console.WriteLine($"| {r.Name} | {r.Count} | {Percentiles.Ms(r.P50)} | {Percentiles.Ms(r.P99)} | {r.Versus} |");
}
finally
{
    Sandboxd.Isolation.Filesystem.SafeDelete.Tree(root);
}
return 0;

namespace Sandboxd.LayerBench
{
    internal static class Clock
    {
        public static List<double> Sample(int n, Action run)
        {
            for (int i = 0; i < Math.Min(10, n); i++)
                run();
            var samples = new List<double>(n);
            for (int i = 0; i < n; i++)
            {
                var sw = Stopwatch.StartNew();
                run();
                samples.Add(sw.Elapsed.TotalMilliseconds);
            }
            return samples;
        }

        /// <summary>Two variants sampled in turn, so load that drifts during the run (a shared
        /// machine) weighs on both alike: for rows whose difference is small.</summary>
        public static (List<double> A, List<double> B) SampleAlternating(int n, Action a, Action b)
        {
            var (first, second) = (new List<double>(n), new List<double>(n));
            for (int i = 0; i < Math.Min(10, n); i++)
            {
                a();
                b();
            }
            for (int i = 0; i < n; i++)
            {
                var sw = Stopwatch.StartNew();
                a();
                first.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                b();
                second.Add(sw.Elapsed.TotalMilliseconds);
            }
            return (first, second);
        }
    }
}
