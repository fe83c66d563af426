using System.Globalization;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;

// The producer the crash test kills with SIGKILL: it emits numbered events as fast as it can
// (a small channel, so part of them spill to the journal) and after each FlushAsync prints
// "ack N": every event up to N was acknowledged and must survive the kill.
string dir = args[0];
var options = new AuditPipelineOptions { Directory = dir, ChannelCapacity = 256, MaxBatch = 512, MigrationInterval = TimeSpan.Zero };
await using var pipeline = new AuditPipeline(options, TimeProvider.System);
var correlation = new AuditCorrelation("crash-tenant");
for (long n = 1; ; n++)
{
    var kind = n % 97 == 0 ? AuditKind.SyscallDenied : AuditKind.SyscallExec;
    pipeline.Emit(kind, correlation, "crash-sandbox", "crash-exec",
        new Dictionary<string, string> { ["n"] = n.ToString(CultureInfo.InvariantCulture) });
    if (n % 1000 == 0)
    {
        await pipeline.FlushAsync();
        Console.Out.WriteLine("ack " + n.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
    }
}
