using System.Diagnostics;
using System.Globalization;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

public sealed class AuditCrashTests
{
    [Fact]
    public async Task Kill_9_mid_ingest_then_reopen_finds_every_acknowledged_event()
    {
        using var root = new TempRoot();
        string producer = Path.Combine(AppContext.BaseDirectory, "AuditCrashProducer.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", producer, root.Path])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        long acknowledged = 0;
        using (var child = Process.Start(start)!)
        {
            try
            {
                // Let it acknowledge a few flushes while producing flat out, then kill it mid-stream.
                for (int acks = 0; acks < 8;)
                {
                    string? line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
                    Assert.NotNull(line);
                    acknowledged = long.Parse(line["ack ".Length..], CultureInfo.InvariantCulture);
                    acks++;
                }
            }
            finally
            {
                child.Kill(); // SIGKILL on Linux: no flush, no dispose, no finally in the child
                await child.WaitForExitAsync();
            }
        }

        var options = AuditTestPipelines.Options(root.Path);
        await using var reopened = new AuditPipeline(options, TimeProvider.System);
        var seen = new HashSet<long>();
        foreach (var ev in reopened.Warm.Query(new AuditQuery { Caller = AuditCaller.Operator }, null, null, int.MaxValue))
            seen.Add(AuditTestPipelines.N(ev));
        for (long n = 1; n <= acknowledged; n++)
            Assert.True(seen.Contains(n), $"acknowledged event {n} of {acknowledged} is missing after kill -9");
    }
}
