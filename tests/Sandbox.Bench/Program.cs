using Sandboxd.Bench;

var options = BenchOptions.Parse(args);
Console.Error.WriteLine($"sandboxd lifecycle bench: n={options.Count}, warm-up {options.Warmup} per scenario");
var rows = await new LifecycleBench(options).RunAsync();
var table = ResultTable.Render(MachineInfo.Describe(DateTimeOffset.UtcNow), rows);
Console.WriteLine(table);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
await File.WriteAllTextAsync(options.Output, table);
Console.Error.WriteLine($"written: {options.Output}");
