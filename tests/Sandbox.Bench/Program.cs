using Sandboxd.Bench;
using Sandboxd.Bench.Network;

// `network --sandboxd PATH [--out FILE]`: the egress table; otherwise the lifecycle table.
if (args.Length > 0 && args[0] == "network")
    return await NetworkProgram.RunAsync(args[1..]);

if (args.Length > 0 && args[0] == "audit")
    return await AuditBenchMain.RunAsync(args);

if (args.Length > 0 && args[0] == "load")
    return await LoadBenchMain.RunAsync(args);

if (args.Length > 0 && args[0] == "cli")
    return await CliBenchMain.RunAsync(args);

if (args.Length > 0 && args[0] == "files")
    return await FilesBenchMain.RunAsync(args);

if (args.Length > 0 && args[0] == "e2b")
    return await E2bBenchMain.RunAsync(args);

if (args.Length > 0 && args[0] == "seccomp")
    return await SeccompBenchMain.RunAsync(args);
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
// Described before measuring, so the load shown is what the run started under.
var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
Console.Error.WriteLine($"sandboxd lifecycle bench: n={options.Count}, warm-up {options.Warmup} per scenario");
var rows = await new LifecycleBench(options).RunAsync();
var table = ResultTable.Render(machine, rows);
Console.WriteLine(table);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
await File.WriteAllTextAsync(options.Output, table);
Console.Error.WriteLine($"written: {options.Output}");
return 0;
